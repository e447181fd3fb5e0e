import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH as SERVER_MIN, acceptPath } from '../../../core/accounts/invitations.js';
import { acceptBody, acceptOutcome, acceptProblems, invitationTokenFromHash, MIN_PASSWORD_LENGTH, type AcceptForm } from './accept.js';

const FORBIDDEN_WORDS = /singer|meltano|\btap\b|\btarget\b/i;
const form = (patch: Partial<AcceptForm> = {}): AcceptForm => ({ kind: 'new', name: '', password: 'correct horse battery', again: 'correct horse battery', ...patch });

describe('the accept page follows the server', () => {
  it('has the server’s minimum password length', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(SERVER_MIN);
  });
  it('reads the token from the link the server hands out', () => {
    expect(invitationTokenFromHash(new URL(`https://s.example${acceptPath('sli_AbC-_09')}`).hash)).toBe('sli_AbC-_09');
    expect(invitationTokenFromHash('#token=abc&x=1')).toBe('abc');
    expect(invitationTokenFromHash('')).toBe('');
    expect(invitationTokenFromHash('#other=1')).toBe('');
  });
});

describe('acceptProblems', () => {
  it('lets a good new account and an existing one through', () => {
    expect(acceptProblems(form())).toEqual({});
    expect(acceptProblems(form({ kind: 'existing', password: 'short', again: '' }))).toEqual({});
  });
  it('asks a new account for a long enough password, typed twice alike', () => {
    expect(acceptProblems(form({ password: '', again: '' }))).toEqual({ password: 'Choose a password.', again: 'Type the password a second time.' });
    expect(acceptProblems(form({ password: 'elevenchars', again: 'elevenchars' })).password).toMatch(/at least 12 characters \(you have 11\)/);
    expect(acceptProblems(form({ again: 'correct horse battery!' }))).toEqual({ again: 'The two passwords are not the same. Type them again.' });
    expect(acceptProblems(form({ password: 'x'.repeat(1001), again: 'x'.repeat(1001) })).password).toMatch(/at most 1000/);
    expect(acceptProblems(form({ name: 'n'.repeat(101) })).name).toMatch(/at most 100/);
  });
  it('asks an existing account for its password', () => {
    expect(acceptProblems(form({ kind: 'existing', password: '' }))).toEqual({ password: "Enter your account's current password." });
  });
});

describe('acceptBody', () => {
  it('sends a trimmed name for a new account only, when given', () => {
    expect(acceptBody('t', form({ name: '  Ann  ' }))).toEqual({ token: 't', password: 'correct horse battery', name: 'Ann' });
    expect(acceptBody('t', form({ name: '   ' }))).toEqual({ token: 't', password: 'correct horse battery' });
    expect(acceptBody('t', form({ kind: 'existing', name: 'Ann', password: 'pw' }))).toEqual({ token: 't', password: 'pw' });
  });
});

describe('acceptOutcome (what a refusal means for the person)', () => {
  it('switches a new account to "existing" when the email already has one', () => {
    const outcome = acceptOutcome('new', 401, { message: 'x already has a Sluice account.', fields: { password: ["is not this account's current password"] } });
    expect(outcome.switchTo).toBe('existing');
    expect(outcome.message).toMatch(/current password/);
  });
  it('says a wrong current password under the field', () => {
    const outcome = acceptOutcome('existing', 401, { message: 'x', fields: { password: ['no'] } });
    expect(outcome.switchTo).toBeUndefined();
    expect(outcome.passwordMessage).toMatch(/not the account’s current password/);
  });
  it('switches "existing" to "new" when there is no account yet and the password was short', () => {
    expect(acceptOutcome('existing', 400, { message: 'Choose a longer password.', fields: { password: ['must be at least 12 characters'] } }).switchTo).toBe('new');
    expect(acceptOutcome('new', 400, { message: 'Choose a longer password.', fields: { password: ['must be at least 12 characters'] } }).passwordMessage).toMatch(/at least 12/);
  });
  it('ends the page for an invalid, used, withdrawn or expired invitation, in the server’s words', () => {
    expect(acceptOutcome('new', 400, { message: 'x', fields: { token: ['is not a valid invitation'] } })).toMatchObject({ final: true, message: expect.stringMatching(/not valid/) });
    expect(acceptOutcome('new', 410, { message: 'This invitation has already been used. Sign in instead, or ask for a new invitation.' })).toMatchObject({ final: true, offerSignIn: true });
    expect(acceptOutcome('new', 410, { message: 'This invitation has expired (invitations last 7 days). Ask the person who invited you for a new one.' })).toMatchObject({ final: true, message: expect.stringMatching(/expired/) });
    expect(acceptOutcome('new', 410, undefined).message).toMatch(/no longer be used/);
  });
  it('sends a member to sign in, and says when to try again', () => {
    expect(acceptOutcome('existing', 409, { message: 'You are already a member of this organisation. Sign in instead.' })).toMatchObject({ final: true, offerSignIn: true });
    expect(acceptOutcome('new', 409, { message: 'An account for this email was created a moment ago. Accept again with its password.' }).switchTo).toBe('existing');
    expect(acceptOutcome('existing', 429, { message: 'Too many sign-in attempts for this account. Wait 15 minute(s) and try again.' }).message).toMatch(/Wait 15 minute/);
    expect(acceptOutcome('new', undefined, undefined).message).toMatch(/could not be reached/);
  });
  it('never uses tool words', () => {
    for (const [kind, status] of [['new', 401], ['existing', 401], ['existing', 400], ['new', 409], ['new', 500]] as const) {
      expect(acceptOutcome(kind, status, { fields: { password: ['x'] } }).message).not.toMatch(FORBIDDEN_WORDS);
    }
  });
});
