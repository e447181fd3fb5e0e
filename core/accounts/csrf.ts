import { createHash, createHmac } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * A browser session's CSRF token: an HMAC keyed with the session's cookie value, so every tab
 * holding the cookie can ask `GET /auth/session` for it (a second tab, a reload) and nobody
 * else can compute it. The cookie value is 32 random bytes, HttpOnly and never readable by
 * another site; the HMAC cannot be turned back into it, so script that reads the token still
 * cannot take over the session. No server key is involved, so rotating the master key never
 * breaks an open tab.
 *
 * @example
 * const session = await openSession(db, userId, tenantId); // session.csrfToken === csrfTokenFor(session.token)
 */
export const csrfTokenFor = (sessionToken: string) => createHmac('sha256', sessionToken).update('sluice csrf token v1').digest('base64url');

/** What the sessions table stores of a CSRF token. */
export const csrfHashOf = (csrfToken: string) => sha256(csrfToken);

/**
 * Does the `X-CSRF-Token` a cookie request sent belong to its session? Sessions opened before
 * tokens were derived stored the hash of a random token (they last 14 days): a tab that kept it
 * from sign-in still passes, and so does the derived token `/auth/session` now gives.
 */
export function csrfMatches(session: { token: string; csrfHash: string }, sent: string | undefined): boolean {
  if (sent === undefined || sent === '') return false;
  // Comparing hashes: how long a comparison takes says nothing about the token.
  const hash = sha256(sent);
  return hash === sha256(csrfTokenFor(session.token)) || hash === session.csrfHash;
}
