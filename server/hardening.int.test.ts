import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyringFrom } from '../db/keyring.js';
import { createTestApp } from '../e2e/test-app.js';
import { createApp, operations } from './app.js';

// Issue 8, findings 8, 12, 14, 15, 17, 20: what an attacker tried against the HTTP surface.
describe('HTTP hardening', async () => {
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }));
  const limits = { windowSeconds: 60, accountFailures: 3, addressAttempts: 8 };
  const webRoot = fileURLToPath(new URL('../web/dist', import.meta.url));
  const t = await createTestApp({ log, trustProxy: true, signInLimits: limits, webRoot });
  const { call } = t;
  let a: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  const trigger = `explode_${randomBytes(4).toString('hex')}`;

  /** A person with a password of their own, through an invitation. */
  async function person(password = 'a long enough password') {
    const email = `p-${randomBytes(4).toString('hex')}@x.test`;
    const invited = await call(a.owner, 'POST', '/members', { email, role: 'admin' });
    expect((await call(undefined, 'POST', '/auth/accept-invitation', { token: invited.body.token, password }, { 'x-forwarded-for': `10.1.${Math.floor(Math.random() * 250)}.1` })).status).toBe(200);
    return { email, password };
  }

  beforeAll(async () => {
    a = await t.tenantWithTokens('hard');
    // A real database failure whose query carries a value: the insert of a token named explode-…
    await t.db.execute(sql.raw(`create or replace function ${trigger}() returns trigger language plpgsql as $$ begin if new.name like 'explode-%' then raise exception 'refused by test trigger'; end if; return new; end $$`));
    await t.db.execute(sql.raw(`create trigger ${trigger} before insert on api_tokens for each row execute function ${trigger}()`));
  });
  afterAll(async () => {
    await t.db.execute(sql.raw(`drop trigger if exists ${trigger} on api_tokens`));
    await t.db.execute(sql.raw(`drop function if exists ${trigger}()`));
    await t.close();
  });

  it('logs a database error by code and constraint, never the bound values (8)', async () => {
    const marker = `explode-${randomBytes(6).toString('hex')}`;
    const res = await call(a.owner, 'POST', '/tokens', { name: marker, role: 'viewer' });
    expect(res.status).toBe(500);
    const line = logLines.find((l) => l.includes(res.body.error.message.match(/request id (\S+?)\s/)![1]));
    expect(line, logLines.join('\n')).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ db: { code: 'P0001' } });
    const all = logLines.join('\n');
    expect(all).not.toContain(marker);
    expect(all).not.toMatch(/params|Failed query/);
  });

  describe('input Postgres cannot store answers 400 naming the field, never 500 (12)', () => {
    const bad = ['nul\u0000here', 'lone \ud800 high', 'lone \udc00 low'];
    const concrete = (path: string) => path.replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{name}', 'tap-postgres');

    it.each(operations.filter((op) => op.body).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s: a bad string anywhere in the body', async (_, op) => {
      // The catalog's own routes are for platform admins: anyone else is refused before the body is read.
      const caller = op.role === 'platform_admin' ? a.platform : a.owner;
      for (const value of bad) {
        const res = await call(caller, op.method.toUpperCase(), concrete(op.path), JSON.stringify({ deep: { list: ['ok', value] } }));
        // a route that first looks up an unknown id may answer 404 before reading the body
        expect([400, 404], JSON.stringify(res.body)).toContain(res.status);
        if (!op.path.includes('{')) expect(res.body.error.fields).toEqual({ 'deep.list.1': [expect.stringMatching(/cannot be stored/)] });
      }
      const key = await call(caller, op.method.toUpperCase(), concrete(op.path), JSON.stringify({ config: { 'bad\u0000key': 1 } }));
      expect([400, 404]).toContain(key.status);
    });

    it.each(operations.filter((op) => op.query).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s: a bad query value', async (_, op) => {
      const names = Object.keys((op.query as unknown as { shape: Record<string, unknown> }).shape);
      for (const name of names) {
        const res = await call(a.owner, 'GET', `${concrete(op.path)}?${name}=x%00y`);
        expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error.fields[name]).toBeDefined();
      }
    });

    it('refuses a NUL in a path segment, crafted cursors and dates Postgres has no room for', async () => {
      expect((await call(a.owner, 'GET', '/catalog/tap%00postgres')).body.error.fields).toEqual({ path: [expect.stringMatching(/cannot be stored/)] });
      const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const path of ['/connectors', '/pipelines', '/runs']) {
        for (const crafted of [{ at: '2026-01-01T00:00:00Z', id: 'not-a-uuid' }, { at: '-010000-01-01T00:00:00Z', id: '00000000-0000-4000-8000-000000000000' }, { at: '+275000-01-01T00:00:00Z', id: '00000000-0000-4000-8000-000000000000' }]) {
          const res = await call(a.owner, 'GET', `${path}?cursor=${cursor(crafted)}`);
          expect(res.status, `${path} ${JSON.stringify(crafted)}`).toBe(400);
          expect(res.body.error.fields).toEqual({ cursor: ['is not a valid cursor'] });
        }
      }
      for (const [name, value] of [['since', '-004714-01-01T00:00:00Z'], ['until', '-271821-04-20T00:00:00Z'], ['since', '+200000-01-01T00:00:00Z']] as const) {
        const res = await call(a.owner, 'GET', `/runs?${name}=${encodeURIComponent(value)}`);
        expect(res.status).toBe(400);
        expect(Object.keys(res.body.error.fields)).toEqual([name]);
      }
      expect((await call(a.owner, 'GET', '/runs?since=2026-01-01T00:00:00Z')).status).toBe(200);
    });
  });

  describe('sign-in limits (14)', () => {
    it('locks an account after repeated wrong passwords, for every API process sharing Redis', async () => {
      const { email, password } = await person();
      for (let i = 0; i < limits.accountFailures; i += 1) {
        expect((await call(undefined, 'POST', '/auth/sign-in', { email, password: 'wrong password' }, { 'x-forwarded-for': `10.2.0.${i}` })).status).toBe(401);
      }
      const locked = await call(undefined, 'POST', '/auth/sign-in', { email, password }, { 'x-forwarded-for': '10.2.1.1' });
      expect(locked.status).toBe(429);
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(limits.windowSeconds);
      expect(locked.body.error.message).toMatch(/Too many sign-in attempts for this account/);
      // a second API process (same Redis, same prefix) refuses too
      const redis = new Redis(t.env.REDIS_URL, { maxRetriesPerRequest: null });
      try {
        const other = createApp({ db: t.db, redis, queue: t.queue, keyring: keyringFrom(t.env), log, queuePrefix: t.env.SLUICE_QUEUE_PREFIX, signInLimits: limits, trustProxy: true });
        const res = await other.request('/api/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.2.2.2' }, body: JSON.stringify({ email, password }) });
        expect(res.status).toBe(429);
      } finally {
        await redis.quit();
      }
      // accepting an invitation checks the same account's password: no way around the lock
      const other = await t.tenantWithTokens('hard-other');
      const invited = await call(other.owner, 'POST', '/members', { email, role: 'viewer' });
      expect((await call(undefined, 'POST', '/auth/accept-invitation', { token: invited.body.token, password }, { 'x-forwarded-for': '10.2.3.3' })).status).toBe(429);
    });

    it('limits attempts from one address, whatever the accounts', async () => {
      const from = { 'x-forwarded-for': '203.0.113.7, 10.3.3.3' };
      for (let i = 0; i < limits.addressAttempts; i += 1) {
        expect((await call(undefined, 'POST', '/auth/sign-in', { email: `n${i}@x.test`, password: 'whatever' }, from)).status).toBe(401);
      }
      const res = await call(undefined, 'POST', '/auth/sign-in', { email: 'another@x.test', password: 'whatever' }, from);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body.error.message).toMatch(/from your network/);
      // the invitation door is the same door
      expect((await call(undefined, 'POST', '/auth/accept-invitation', { token: (await call(a.owner, 'POST', '/members', { email: `door-${randomBytes(3).toString('hex')}@x.test`, role: 'viewer' })).body.token, password: 'long enough password' }, from)).status).toBe(429);
      // another address is not affected
      expect((await call(undefined, 'POST', '/auth/sign-in', { email: 'another@x.test', password: 'whatever' }, { 'x-forwarded-for': '10.4.4.4' })).status).toBe(401);
    });
  });

  describe('security headers, cookies and sessions (15)', () => {
    it('sends CSP with frame-ancestors none, nosniff and Referrer-Policy on the web app and the API; HSTS only over https', async () => {
      for (const path of ['/', '/api/v1/health', '/api/v1/nope']) {
        const res = await t.app.request(path);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp, path).toContain("frame-ancestors 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('strict-transport-security')).toBeNull();
      }
      // the built web app only needs what the CSP allows: same-origin scripts and styles, no inline script
      const html = await (await t.app.request('/')).text();
      expect(html).not.toMatch(/<script(?![^>]*\ssrc="\/)/);
      expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).every((url) => url!.startsWith('/'))).toBe(true);
      const https = await t.app.request('/api/v1/health', { headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    });

    it('marks the session cookie Secure behind a trusted https proxy only', async () => {
      const { email, password } = await person();
      const viaProxy = await t.app.request('/api/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.5.5.5' }, body: JSON.stringify({ email, password }) });
      expect(viaProxy.headers.get('set-cookie')).toMatch(/;\s*Secure/);
      const plain = await t.app.request('/api/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.5.5.6' }, body: JSON.stringify({ email, password }) });
      expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
      // without SLUICE_TRUST_PROXY the header is anyone's claim
      const untrusted = await createTestApp({ trustProxy: false });
      try {
        const res = await untrusted.app.request('/api/v1/health', { headers: { 'x-forwarded-proto': 'https' } });
        expect(res.headers.get('strict-transport-security')).toBeNull();
      } finally {
        await untrusted.close();
      }
    });

    it('deletes expired sessions', async () => {
      const { email, password } = await person();
      const [user] = await t.db.execute<{ id: string }>(sql`select id from users where email = ${email}`);
      await t.db.execute(sql`delete from sessions where user_id = ${user!.id}`); // the one accepting opened
      const signIn = await call(undefined, 'POST', '/auth/sign-in', { email, password }, { 'x-forwarded-for': '10.6.6.6' });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      await t.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user!.id}`);
      expect((await call(undefined, 'GET', '/auth/session', undefined, { cookie })).status).toBe(401);
      expect((await t.db.execute(sql`select 1 from sessions where user_id = ${user!.id}`)).length).toBe(0);
      // and a sign-in sweeps everyone's expired sessions
      const again = await call(undefined, 'POST', '/auth/sign-in', { email, password }, { 'x-forwarded-for': '10.6.6.7' });
      expect(again.status).toBe(200);
      await t.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user!.id}`);
      await person();
      await call(undefined, 'POST', '/auth/sign-in', { email, password }, { 'x-forwarded-for': '10.6.6.8' });
      expect((await t.db.execute(sql`select 1 from sessions where expires_at < now()`)).length).toBe(0);
    });
  });

  it('lets only equal or higher roles revoke a token (17)', async () => {
    const owners = (await call(a.owner, 'GET', '/tokens')).body.data as Array<{ id: string; role: string }>;
    const ownerToken = owners.find((x) => x.role === 'owner')!;
    const refused = await call(a.admin, 'DELETE', `/tokens/${ownerToken.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/owner role/);
    expect((await call(a.owner, 'GET', '/connectors')).status).toBe(200);
    const peer = await call(a.admin, 'POST', '/tokens', { name: 'peer', role: 'admin' });
    expect((await call(a.admin, 'DELETE', `/tokens/${peer.body.id}`)).status).toBe(204);
    const spare = await call(a.owner, 'POST', '/tokens', { name: 'spare owner', role: 'owner' });
    expect((await call(a.owner, 'DELETE', `/tokens/${spare.body.id}`)).status).toBe(204);
  });

  it('closes the connection it announces after an early 413 (20)', async () => {
    const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => void (answer += String(chunk)));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write(`POST /api/v1/connectors HTTP/1.1\r\nHost: sluice\r\nAuthorization: Bearer ${a.owner}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{"name":"`);
      await closed;
      const head = answer.split('\r\n\r\n')[0]!;
      expect(head).toMatch(/^HTTP\/1\.1 413/);
      expect(head).toMatch(/^connection: close$/im);
      expect(head).not.toMatch(/keep-alive/i);
    } finally {
      server.close();
    }
  });
});
