import { describe, expect, it } from 'vitest';
import { acceptLink, createTokenMessage, expiresIn, inviteMessage, memberName, problemOf, removeMemberMessage, revokeTokenMessage, rolesUpTo, UNREACHABLE, withdrawInvitationMessage, type Problem } from './words.js';

const refused = (status: number, message: string, fields: Record<string, string[]> = {}) => Object.assign(new Error(message), { status, detail: { code: 'x', message, fields } });
const problem = (status: number | undefined, message = 'm', fields: Record<string, string[]> = {}): Problem => ({ status, message, fields });
const FORBIDDEN_WORDS = /singer|meltano|\btap\b|\btarget\b/i;

describe('problemOf (what api() throws → status, words, fields)', () => {
  it('reads the status, the message and the fields of a refusal', () => {
    expect(problemOf(refused(409, 'a@b.c is already a member.', { email: ['is already a member'] }))).toEqual({ status: 409, message: 'a@b.c is already a member.', fields: { email: ['is already a member'] } });
  });
  it('says the server was not reached when fetch itself failed', () => {
    expect(problemOf(new TypeError('Failed to fetch'))).toEqual({ status: undefined, message: UNREACHABLE, fields: {} });
    expect(problemOf(undefined).message).toBe(UNREACHABLE);
  });
  it('falls back to the error message, then to the status', () => {
    expect(problemOf(Object.assign(new Error('Request failed (502)'), { status: 502 })).message).toBe('Request failed (502)');
    expect(problemOf({ status: 500, message: '' }).message).toMatch(/error 500/);
  });
});

describe('removing a member', () => {
  const ann = { id: '1', email: 'ann@x.test', role: 'owner' as const };
  const bob = { id: '2', email: 'bob@x.test', role: 'admin' as const };
  it('explains the last-owner refusal in words, with what to do', () => {
    const text = removeMemberMessage(problem(409, 'This is the last owner. Make someone else an owner first.'), ann, [ann, bob]);
    expect(text).toMatch(/ann@x\.test is the only owner/);
    expect(text).toMatch(/Invite someone else as an owner first/);
  });
  it('says you cannot remove yourself', () => {
    expect(removeMemberMessage(problem(409, 'You cannot remove yourself; ask another owner.'), bob, [ann, bob])).toMatch(/Ask another owner/);
  });
  it('says a member already gone is gone, and who may remove', () => {
    expect(removeMemberMessage(problem(404, 'Member was not found.'), bob, [ann, bob])).toMatch(/no longer a member/);
    expect(removeMemberMessage(problem(403, 'x'), bob, [ann, bob])).toMatch(/Only owners/);
    expect(removeMemberMessage(problem(undefined, UNREACHABLE), bob, [ann, bob])).toContain(UNREACHABLE);
  });
});

describe('revoking a token', () => {
  it("says a 403 means the token's role is above yours", () => {
    const text = revokeTokenMessage(problem(403, 'This token has the owner role; revoking it needs the owner role (you have admin).'), { name: 'Nightly', role: 'owner' }, 'admin');
    expect(text).toBe('“Nightly” has the owner role, which is above yours (admin). Only someone with the owner role can revoke it: ask an owner.');
  });
  it('says an already revoked token is gone', () => {
    expect(revokeTokenMessage(problem(404), { name: 'Nightly', role: 'viewer' }, 'admin')).toMatch(/already revoked/);
  });
});

describe('other messages', () => {
  it('invitations: already a member, bad email, withdrawn twice', () => {
    expect(inviteMessage(problem(409, 'a@b.c is already a member.'))).toBe('a@b.c is already a member. There is no need to invite them again.');
    expect(inviteMessage(problem(400, 'Some fields need attention.', { email: ['must be an email address'] }))).toBe('The email address must be an email address.');
    expect(withdrawInvitationMessage(problem(404), 'a@b.c')).toMatch(/already accepted or withdrawn/);
  });
  it('tokens: a role above your own, a missing name', () => {
    expect(createTokenMessage(problem(403, 'You cannot create a token with more rights (owner) than your own (admin).'))).toMatch(/no higher than your own/);
    expect(createTokenMessage(problem(400, 'Some fields need attention.', { name: ['is required'] }))).toBe('The name is required.');
  });
  it('never uses tool words', () => {
    for (const text of [removeMemberMessage(problem(409), { id: '1', email: 'a', role: 'owner' }, []), revokeTokenMessage(problem(403), { name: 'n', role: 'owner' }, 'admin'), inviteMessage(problem(409))]) expect(text).not.toMatch(FORBIDDEN_WORDS);
  });
});

describe('small helpers', () => {
  it('offers roles up to your own', () => {
    expect(rolesUpTo('viewer')).toEqual(['viewer']);
    expect(rolesUpTo('admin')).toEqual(['viewer', 'admin']);
    expect(rolesUpTo('owner')).toEqual(['viewer', 'admin', 'owner']);
  });
  it('names a member by name and email, or email alone when the name adds nothing', () => {
    expect(memberName({ name: 'Ann Lee', email: 'ann@x.test' })).toBe('Ann Lee (ann@x.test)');
    expect(memberName({ name: 'ann', email: 'ann@x.test' })).toBe('ann@x.test');
    expect(memberName({ name: ' ', email: 'ann@x.test' })).toBe('ann@x.test');
  });
  it('builds the whole invitation link from the API path', () => {
    expect(acceptLink('https://sluice.example.com', '/accept-invitation#token=sli_abc')).toBe('https://sluice.example.com/accept-invitation#token=sli_abc');
    expect(acceptLink('http://localhost:8080/', '/accept-invitation#token=x')).toBe('http://localhost:8080/accept-invitation#token=x');
  });
  it('says how long an invitation has left', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(expiresIn('2024-01-08T00:00:00Z', now)).toBe('Expires in 7 days');
    expect(expiresIn('2024-01-02T06:00:00Z', now)).toBe('Expires in 1 day');
    expect(expiresIn('2024-01-01T05:30:00Z', now)).toBe('Expires in 5 hours');
    expect(expiresIn('2024-01-01T00:10:00Z', now)).toBe('Expires within the hour');
    expect(expiresIn('2023-12-31T00:00:00Z', now)).toMatch(/^Expired/);
  });
});
