import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema/index.js';
import { createTestApp } from '../../e2e/test-app.js';
import { eq } from 'drizzle-orm';

// Issue 9, defect 7: only sign-in returned the CSRF token, so a second tab (signed in by the
// cookie alone) or a reload could change nothing. /auth/session now hands it to the cookie.
describe('CSRF token of a browser session', async () => {
  const t = await createTestApp();
  let tenant: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  const email = `tabs-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'two tabs one session';

  beforeAll(async () => {
    tenant = await t.tenantWithTokens('csrf');
    const invited = await t.call(tenant.owner, 'POST', '/members', { email, role: 'admin' });
    expect((await t.call(undefined, 'POST', '/auth/accept-invitation', { token: invited.body.token, password })).status).toBe(200);
  });
  afterAll(() => t.close());

  /** Signs in as a browser would: the session cookie, and the token sign-in returned. */
  async function signIn() {
    const res = await t.call(undefined, 'POST', '/auth/sign-in', { email, password });
    expect(res.status).toBe(200);
    return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: res.body.csrf_token as string };
  }
  const asTab = (cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => t.call(undefined, method, path, body, { cookie, ...headers });
  const connector = (name: string) => ({ name: `${name} ${randomBytes(3).toString('hex')}`, plugin: 'tap-jsonl', config: { path: 'x.jsonl', stream_name: 'x' } });

  it('gives a second tab, which holds only the cookie, the token its changes need', async () => {
    const first = await signIn();
    // the second tab has the cookie (shared by the browser) and nothing else
    const session = await asTab(first.cookie, 'GET', '/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.csrf_token).toBe(first.csrf);
    expect(session.headers.get('cache-control')).toBe('no-store');
    expect((await asTab(first.cookie, 'POST', '/connectors', connector('no token'))).status).toBe(403);
    const made = await asTab(first.cookie, 'POST', '/connectors', connector('second tab'), { 'x-csrf-token': session.body.csrf_token });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  });

  it("refuses another session's token", async () => {
    const mine = await signIn();
    const other = await signIn();
    const otherToken = (await asTab(other.cookie, 'GET', '/auth/session')).body.csrf_token;
    expect(otherToken).toBe(other.csrf);
    expect(otherToken).not.toBe(mine.csrf);
    const refused = await asTab(mine.cookie, 'POST', '/connectors', connector('crossed'), { 'x-csrf-token': otherToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/CSRF/);
    expect((await asTab(mine.cookie, 'POST', '/auth/sign-out', undefined, { 'x-csrf-token': otherToken })).status).toBe(403);
    expect((await asTab(mine.cookie, 'POST', '/auth/sign-out', undefined, { 'x-csrf-token': mine.csrf })).status).toBe(204);
  });

  it('has no CSRF token for an API token, which needs none', async () => {
    const session = await t.call(tenant.viewer, 'GET', '/auth/session');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ via: 'token', csrf_token: null });
  });

  it('keeps a session opened before tokens were derived working, with its old token and with the one /auth/session gives', async () => {
    // Such a session stored the hash of a random token that only its sign-in answer carried.
    const cookieValue = randomBytes(32).toString('base64url');
    const oldToken = randomBytes(24).toString('base64url');
    const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
    const user = await t.db.query.users.findFirst({ where: eq(users.email, email) });
    await t.db.insert(sessions).values({ tokenHash: sha256(cookieValue), csrfHash: sha256(oldToken), userId: user!.id, tenantId: tenant.tenant.id, expiresAt: new Date(Date.now() + 86_400_000) });
    const cookie = `sluice_session=${cookieValue}`;
    expect((await asTab(cookie, 'POST', '/connectors', connector('old tab'), { 'x-csrf-token': oldToken })).status).toBe(201);
    const fetched = (await asTab(cookie, 'GET', '/auth/session')).body.csrf_token;
    expect(fetched).toEqual(expect.any(String));
    expect((await asTab(cookie, 'POST', '/connectors', connector('new tab'), { 'x-csrf-token': fetched })).status).toBe(201);
  });
});
