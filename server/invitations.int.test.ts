import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../e2e/test-app.js';

// Hostile tenants and invitations (issue 8, finding 3): joining a tenant never lets anyone
// choose another person's password, reuse their account, or learn that it exists.
describe('invitations between hostile tenants', async () => {
  const t = await createTestApp();
  const { call } = t;
  let a: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  let b: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  const unique = () => randomBytes(4).toString('hex');

  beforeAll(async () => {
    a = await t.tenantWithTokens('inv-a');
    b = await t.tenantWithTokens('inv-b');
  });
  afterAll(() => t.close());

  const invite = (owner: string, email: string, role = 'admin') => call(owner, 'POST', '/members', { email, role });
  const accept = (body: Record<string, unknown>) => call(undefined, 'POST', '/auth/accept-invitation', body);
  const signIn = (email: string, password: string, tenant?: string) => call(undefined, 'POST', '/auth/sign-in', { email, password, ...(tenant ? { tenant } : {}) });

  it('answers an inviter the same whether or not the email has an account anywhere', async () => {
    const victim = `victim-${unique()}@x.test`;
    const stranger = `nobody-${unique()}@x.test`;
    const first = await invite(a.owner, victim);
    expect(first.status).toBe(201);
    expect((await accept({ token: first.body.token, password: 'the victim chose this one', name: 'Victor Victim' })).status).toBe(200);

    // victim@x now has an account (in A); B invites it and a never-seen email
    const known = await invite(b.owner, victim);
    const unknown = await invite(b.owner, stranger);
    expect([known.status, unknown.status]).toEqual([201, 201]);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(Object.keys(known.body).sort()).toEqual(['accept_path', 'created_at', 'email', 'expired', 'expires_at', 'id', 'invited_by', 'role', 'token']);
    expect(JSON.stringify(known.body)).not.toMatch(/Victor|exist|account/i);
    // the list of open invitations says no more, and never shows a token
    const listed = await call(b.owner, 'GET', '/members/invitations');
    expect(listed.body.data.map((i: { email: string }) => i.email).sort()).toEqual([stranger, victim].sort());
    expect(JSON.stringify(listed.body)).not.toContain(known.body.token);
    expect(JSON.stringify(listed.body)).not.toMatch(/Victor/);
  });

  it("never lets an inviter choose or change another person's password", async () => {
    const victim = `victim-${unique()}@x.test`;
    // the old way, a password for someone else in the invitation, is refused outright
    const withPassword = await call(a.owner, 'POST', '/members', { email: victim, role: 'admin', password: 'chosen by tenant A' });
    expect(withPassword.status).toBe(400);
    const fromA = await invite(a.owner, victim);
    expect((await accept({ token: fromA.body.token, password: 'victims own password' })).status).toBe(200);

    // B's token holder (whoever B's owner hands it to) cannot set a new password on the existing account
    const fromB = await invite(b.owner, victim);
    const takeover = await accept({ token: fromB.body.token, password: 'chosen by tenant B', name: 'Mallory' });
    expect(takeover.status).toBe(401);
    expect(takeover.body.error.fields).toEqual({ password: ["is not this account's current password"] });
    expect((await signIn(victim, 'chosen by tenant B')).status).toBe(401);
    expect((await signIn(victim, 'victims own password')).status).toBe(200);
    // the real person accepts B's invitation by proving the account is theirs
    const joined = await accept({ token: fromB.body.token, password: 'victims own password' });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    expect(joined.body).toMatchObject({ tenant: { slug: b.tenant.slug }, role: 'admin', user: { email: victim } });
    expect(joined.body.csrf_token).toEqual(expect.any(String));
    const [row] = await t.db.execute<{ name: string }>(sql`select name from users where email = ${victim}`);
    expect(row!.name).not.toBe('Mallory');
  });

  it("keeps tenant A's inviter out of tenant B even when it accepted its own invitation for the victim", async () => {
    const victim = `squatted-${unique()}@x.test`;
    // A hands its token to nobody and accepts it itself, choosing the password: the account is A's to know
    const fromA = await invite(a.owner, victim);
    expect((await accept({ token: fromA.body.token, password: 'known to tenant A only' })).status).toBe(200);
    // B later invites the same email and hands its token to the real person
    const fromB = await invite(b.owner, victim);
    // A's password opens nothing in B: there is no membership until B's token is accepted
    const intoB = await signIn(victim, 'known to tenant A only', b.tenant.slug);
    expect(intoB.status).toBe(403);
    // and B's invitation is not accepted by someone who merely chooses a password
    expect((await accept({ token: fromB.body.token, password: 'the real person guesses' })).status).toBe(401);
    const members = await call(b.owner, 'GET', '/members');
    expect(members.body.data.map((m: { email: string }) => m.email)).not.toContain(victim);
  });

  it('is single-use, expires, refuses wrong tokens and short passwords, and can be withdrawn', async () => {
    const email = `once-${unique()}@x.test`;
    const invited = await invite(a.owner, email, 'viewer');
    expect(invited.body.accept_path).toBe(`/accept-invitation#token=${invited.body.token}`);
    expect((await accept({ token: `${invited.body.token}x`, password: 'long enough password' })).body.error.fields).toEqual({ token: ['is not a valid invitation'] });
    const short = await accept({ token: invited.body.token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.fields).toEqual({ password: ['must be at least 12 characters'] });
    expect((await accept({ token: invited.body.token, password: 'long enough password' })).status).toBe(200);
    const again = await accept({ token: invited.body.token, password: 'long enough password' });
    expect(again.status).toBe(410);
    expect(again.body.error.message).toMatch(/already been used/);

    const late = await invite(a.owner, `late-${unique()}@x.test`);
    await t.db.execute(sql`update invitations set expires_at = now() - interval '1 minute' where id = ${late.body.id}`);
    const expired = await accept({ token: late.body.token, password: 'long enough password' });
    expect(expired.status).toBe(410);
    expect(expired.body.error.message).toMatch(/expired/);

    const withdrawn = await invite(a.owner, `withdrawn-${unique()}@x.test`);
    expect((await call(b.owner, 'DELETE', `/members/invitations/${withdrawn.body.id}`)).status).toBe(404);
    expect((await call(a.admin, 'DELETE', `/members/invitations/${withdrawn.body.id}`)).status).toBe(403);
    expect((await call(a.owner, 'DELETE', `/members/invitations/${withdrawn.body.id}`)).status).toBe(204);
    expect((await accept({ token: withdrawn.body.token, password: 'long enough password' })).status).toBe(410);

    // inviting again replaces the open invitation: the first token stops working
    const twice = `twice-${unique()}@x.test`;
    const one = await invite(a.owner, twice);
    const two = await invite(a.owner, twice);
    expect((await accept({ token: one.body.token, password: 'long enough password' })).status).toBe(410);
    expect((await accept({ token: two.body.token, password: 'long enough password' })).status).toBe(200);
  });

  it('audits every step and never stores a token', async () => {
    const email = `audited-${unique()}@x.test`;
    const invited = await invite(a.owner, email, 'viewer');
    await accept({ token: invited.body.token, password: 'long enough password' });
    const rows = await t.db.execute<{ action: string; actor_label: string; changes: unknown }>(sql`select action, actor_label, changes from audit_events where tenant_id = ${a.tenant.id} and (resource_id = ${invited.body.id} or changes->>'email' = ${email}) order by id`);
    expect(rows.map((r) => r.action)).toEqual(['invitation.create', 'invitation.accept', 'member.add']);
    expect(rows[0]!.actor_label).toBe('token "owner"');
    expect(rows[1]!.actor_label).toBe(email);
    const [stored] = await t.db.execute<{ token_hash: string }>(sql`select token_hash from invitations where id = ${invited.body.id}`);
    expect(stored!.token_hash).not.toContain(invited.body.token);
    const everything = JSON.stringify(await t.db.execute(sql`select * from audit_events where tenant_id = ${a.tenant.id}`));
    expect(everything).not.toContain(invited.body.token);
    expect(everything).not.toContain(stored!.token_hash);
  });
});
