import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfHashOf, csrfMatches, csrfTokenFor } from './csrf.js';

describe('csrfTokenFor / csrfMatches', () => {
  const sessionToken = randomBytes(32).toString('base64url');
  const session = { token: sessionToken, csrfHash: csrfHashOf(csrfTokenFor(sessionToken)) };

  it('gives every tab of a session the same token, and each session its own', () => {
    expect(csrfTokenFor(sessionToken)).toBe(csrfTokenFor(sessionToken));
    expect(csrfTokenFor(randomBytes(32).toString('base64url'))).not.toBe(csrfTokenFor(sessionToken));
    // one-way: the token never contains the cookie value
    expect(csrfTokenFor(sessionToken)).not.toContain(sessionToken.slice(0, 8));
  });

  it("accepts the session's token and nothing else", () => {
    expect(csrfMatches(session, csrfTokenFor(sessionToken))).toBe(true);
    expect(csrfMatches(session, undefined)).toBe(false);
    expect(csrfMatches(session, '')).toBe(false);
    expect(csrfMatches(session, csrfTokenFor(randomBytes(32).toString('base64url')))).toBe(false);
    expect(csrfMatches(session, sessionToken)).toBe(false);
  });

  it('accepts both tokens of a session opened before tokens were derived', () => {
    const oldToken = randomBytes(24).toString('base64url');
    const legacy = { token: sessionToken, csrfHash: csrfHashOf(oldToken) };
    expect(csrfMatches(legacy, oldToken)).toBe(true);
    expect(csrfMatches(legacy, csrfTokenFor(sessionToken))).toBe(true);
    expect(csrfMatches(legacy, 'anything else')).toBe(false);
  });
});
