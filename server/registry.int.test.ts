import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestApp } from '../e2e/test-app.js';
import { operations } from './app.js';

// The registry API over real Postgres: two tenants, every role, every route, every bad input class.
describe('registry API', async () => {
  const t = await createTestApp();
  const { call } = t;
  let a: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  let b: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  const pg = { host: '127.0.0.1', port: 5432, user: 'postgres', password: 'pw-registry-1', database: 'x' };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    a = await t.tenantWithTokens('a');
    b = await t.tenantWithTokens('b');
    ids.connector = (await call(a.owner, 'POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: pg })).body.id;
    ids.pipeline = (await call(a.owner, 'POST', '/pipelines', { name: 'p', source_connector_id: ids.connector, streams: [{ stream: 'public-orders' }] })).body.id;
    ids.run = (await call(a.owner, 'POST', `/pipelines/${ids.pipeline}/runs`)).body.run_id;
    ids.token = (await call(a.owner, 'POST', '/tokens', { name: 'spare', role: 'viewer' })).body.id;
    ids.member = (await join(a.owner, `m-${a.tenant.slug}@example.com`, 'viewer', 'correct horse battery')).user.id;
    ids.invitation = (await call(a.owner, 'POST', '/members', { email: `pending-${a.tenant.slug}@example.com`, role: 'viewer' })).body.id;
  });

  /** Invites an email and accepts as its owner would: the invitee sets their own password. */
  async function join(owner: string, email: string, role: string, password: string) {
    const invited = await call(owner, 'POST', '/members', { email, role });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const accepted = await call(undefined, 'POST', '/auth/accept-invitation', { token: invited.body.token, password });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    return accepted.body;
  }
  afterAll(() => t.close());

  const concrete = (path: string) => path.replace(/\{id\}/, () => {
    if (path.includes('/invitations/')) return ids.invitation!;
    const noun = path.split('/')[1]!;
    return { connectors: ids.connector, pipelines: ids.pipeline, runs: ids.run, tokens: ids.token, members: ids.member, catalog: 'tap-postgres' }[noun] as string;
  }).replace('{name}', 'tap-postgres');
  const protectedOps = operations.filter((op) => op.role !== 'public');
  const rank = { viewer: 0, admin: 1, owner: 2 } as const;

  describe('roles and tenancy, for every route', () => {
    it.each(protectedOps.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s: 401 without credentials', async (_, op) => {
      expect((await call(undefined, op.method.toUpperCase(), concrete(op.path), op.body ? {} : undefined)).status).toBe(401);
    });

    it.each(protectedOps.filter((op) => op.role !== 'viewer').map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s: 403 for roles below %s', async (_, op) => {
      for (const role of ['viewer', 'admin'] as const) {
        if (rank[role] >= rank[op.role as 'admin' | 'owner']) continue;
        const res = await call(a[role], op.method.toUpperCase(), concrete(op.path), op.body ? {} : undefined);
        expect(res.status, `${role}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    });

    it.each(protectedOps.filter((op) => op.path.includes('{id}')).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
      "%s: another tenant's id answers 404",
      async (_, op) => {
        // a body that would not even validate: the other tenant still learns nothing but 404
        const res = await call(b.owner, op.method.toUpperCase(), concrete(op.path), op.body ? { nonsense: true } : undefined);
        expect(res.status, JSON.stringify(res.body)).toBe(404);
      },
    );

    it('lists show only the caller tenant', async () => {
      for (const path of ['/connectors', '/pipelines', '/tokens', '/audit', '/members']) {
        const res = await call(b.owner, 'GET', path);
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.body)).not.toContain(ids.connector);
        expect(JSON.stringify(res.body)).not.toContain(a.tenant.id);
      }
    });
  });

  describe('connectors', () => {
    it('PATCH keeps a secret left out, replaces one given, clears one set to null', async () => {
      const created = await call(a.admin, 'POST', '/connectors', { name: 'patchy', plugin: 'tap-postgres', config: { ...pg, password: 'first-secret' } });
      const id = created.body.id as string;
      const secretOf = async () => {
        const [row] = await t.db.execute<{ secret_names: string[]; key_id: string | null }>(sql`select secret_names, key_id from connectors where id = ${id}`);
        return row;
      };
      const kept = await call(a.admin, 'PATCH', `/connectors/${id}`, { config: { port: 5433 } });
      expect(kept.status).toBe(200);
      expect(kept.body.config).toMatchObject({ port: 5433, password: '********' });
      expect(kept.body.secrets.password).toEqual({ value: '********', has_value: true });
      expect(kept.body.status).toBe('inactive');
      const replaced = await call(a.admin, 'PATCH', `/connectors/${id}`, { config: { password: 'second-secret' } });
      expect(replaced.status).toBe(200);
      // clearing the password breaks the required set (host, port, user, password, database): refused, nothing changes
      const refused = await call(a.admin, 'PATCH', `/connectors/${id}`, { config: { password: null } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.fields).toEqual({ password: ['is required'] });
      expect((await secretOf())?.secret_names).toEqual(['password']);
      // switching to a URL, the password can be cleared
      const cleared = await call(a.admin, 'PATCH', `/connectors/${id}`, { config: { sqlalchemy_url: 'postgresql://u:url-secret@h/db', password: null, host: null } });
      expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
      expect(cleared.body.secrets.password).toEqual({ value: null, has_value: false });
      expect(cleared.body.secrets.sqlalchemy_url).toEqual({ value: '********', has_value: true });
      const audit = await t.db.execute<{ action: string; changes: Record<string, unknown> }>(sql`select action, changes from audit_events where resource_id = ${id} order by id`);
      expect(audit.map((r) => r.action)).toEqual(['connector.create', 'connector.update', 'connector.update', 'connector.update']);
      expect(audit[0]!.changes.password).toEqual({ secret: 'set' });
      expect(audit[1]!.changes).toEqual({ port: { from: 5432, to: 5433 } });
      expect(audit[2]!.changes).toEqual({ password: { secret: 'replaced' } });
      expect(audit[3]!.changes).toMatchObject({ password: { secret: 'cleared' }, sqlalchemy_url: { secret: 'set' }, host: { from: '127.0.0.1', to: null } });
      expect(JSON.stringify(audit)).not.toMatch(/first-secret|second-secret|url-secret/);
    });

    it('serves many PATCHes at once without running out of database connections', { timeout: 30_000 }, async () => {
      const created = await Promise.all(Array.from({ length: 3 }, (_, i) => call(a.admin, 'POST', '/connectors', { name: `busy-${i}`, plugin: 'tap-postgres', config: pg })));
      // more at once than the pool (4 here) has connections
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call(a.admin, 'PATCH', `/connectors/${created[i % 3]!.body.id}`, { config: { port: 6000 + i } })));
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    });

    it('renames with 409 on a clash, deletes only what no pipeline uses', async () => {
      const other = await call(a.admin, 'POST', '/connectors', { name: 'other', plugin: 'tap-postgres', config: pg });
      expect((await call(a.admin, 'PATCH', `/connectors/${other.body.id}`, { name: 'src' })).status).toBe(409);
      expect((await call(a.admin, 'PATCH', `/connectors/${other.body.id}`, { name: 'renamed' })).body.name).toBe('renamed');
      const inUse = await call(a.admin, 'DELETE', `/connectors/${ids.connector}`);
      expect(inUse.status).toBe(409);
      expect(inUse.body.error.message).toMatch(/used by 1 pipeline/);
      expect((await call(a.admin, 'DELETE', `/connectors/${other.body.id}`)).status).toBe(204);
      expect((await call(a.admin, 'GET', `/connectors/${other.body.id}`)).status).toBe(404);
    });

    it('pages through a stable order and filters by plugin and status', async () => {
      const tenant = await t.tenantWithTokens('page');
      for (let i = 0; i < 5; i += 1) await call(tenant.owner, 'POST', '/connectors', { name: `c${i}`, plugin: i % 2 ? 'tap-jsonl' : 'tap-postgres', config: i % 2 ? { path: 'x.jsonl', stream_name: 's' } : pg });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ name: string }>; next_cursor: string | null } } = await call(tenant.owner, 'GET', `/connectors?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((c) => c.name));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(['c4', 'c3', 'c2', 'c1', 'c0']);
      expect((await call(tenant.owner, 'GET', '/connectors?plugin=tap-jsonl')).body.data.map((c: { name: string }) => c.name)).toEqual(['c3', 'c1']);
      expect((await call(tenant.owner, 'GET', '/connectors?status=active')).body.data).toEqual([]);
    });
  });

  describe('pipelines', () => {
    it('validates schedules and shows the next run times', async () => {
      const bad = await call(a.admin, 'POST', '/pipelines', { name: 'bad', source_connector_id: ids.connector, streams: [{ stream: 'public-x' }], schedule: { cron: '0 3 * *', timezone: 'Mars/Olympus' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields['schedule.cron'][0]).toMatch(/must have 5 fields/);
      expect(bad.body.error.fields['schedule.timezone'][0]).toMatch(/IANA time zone/);
      expect((await call(a.admin, 'POST', '/pipelines', { name: 'bad2', source_connector_id: ids.connector, streams: [{ stream: 'public-x' }], schedule: { cron: '61 3 * * *' } })).body.error.fields['schedule.cron'][0]).toMatch(/not a valid cron/);
      const good = await call(a.admin, 'POST', '/pipelines', { name: 'nightly', source_connector_id: ids.connector, streams: [{ stream: 'public-x', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], schedule: { cron: '30 2 * * *', timezone: 'Europe/Paris' } });
      expect(good.status, JSON.stringify(good.body)).toBe(201);
      expect(good.body.next_runs).toHaveLength(5);
      for (const at of good.body.next_runs as string[]) {
        expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(at))).toBe('02:30');
      }
      const paused = await call(a.admin, 'PATCH', `/pipelines/${good.body.id}`, { enabled: false });
      expect(paused.body).toMatchObject({ enabled: false, next_runs: [] });
      const audit = await t.db.execute<{ changes: Record<string, unknown> }>(sql`select changes from audit_events where resource_id = ${good.body.id} and action = 'pipeline.update'`);
      expect(audit[0]!.changes).toEqual({ enabled: { from: true, to: false } });
      expect((await call(a.admin, 'DELETE', `/pipelines/${good.body.id}`)).status).toBe(204);
      expect((await call(a.admin, 'POST', '/pipelines', { name: 'inc', source_connector_id: ids.connector, streams: [{ stream: 'x', replication_method: 'INCREMENTAL' }] })).body.error.fields).toEqual({ 'streams.0.replication_key': [expect.stringMatching(/^"Add new and changed rows" needs a column that tells new and changed rows apart/)] });
    });

    it('takes a destination only from a target-clickhouse connector of the tenant', async () => {
      const wrong = await call(a.admin, 'POST', '/pipelines', { name: 'd', source_connector_id: ids.connector, destination_connector_id: ids.connector, streams: [{ stream: 'x' }] });
      expect(wrong.body.error.fields).toEqual({ destination_connector_id: ['must be a destination connector'] });
      const own = await call(a.admin, 'POST', '/connectors', { name: 'my clickhouse', plugin: 'target-clickhouse', config: { url: 'http://127.0.0.1:8123', database: `sluice_${a.tenant.slug.replace(/-/g, '_')}__mine`, password: 'ch-pw' } });
      const ok = await call(a.admin, 'POST', '/pipelines', { name: 'd2', source_connector_id: ids.connector, destination_connector_id: own.body.id, streams: [{ stream: 'x' }] });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(ok.body.destination).toMatchObject({ type: 'connector', connector_id: own.body.id });
    });
  });

  describe('accounts, sessions and tokens', () => {
    it('signs in with an HttpOnly SameSite cookie and guards cookie writes with the CSRF token', async () => {
      const email = `owner-${a.tenant.slug}@example.com`;
      await join(a.owner, email, 'admin', 'a long enough password');
      const wrong = await call(undefined, 'POST', '/auth/sign-in', { email, password: 'nope' });
      const unknown = await call(undefined, 'POST', '/auth/sign-in', { email: 'nobody@example.com', password: 'nope' });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(wrong.body.error.message).toBe(unknown.body.error.message);
      const signIn = await t.app.request('/api/v1/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: email.toUpperCase(), password: 'a long enough password' }) });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sluice_session=[^;]+;.*HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      const { csrf_token: csrf, role } = (await signIn.json()) as { csrf_token: string; role: string };
      expect(role).toBe('admin');
      const session = cookie.split(';')[0]!;
      const asBrowser = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(undefined, method, path, body, { cookie: session, ...headers });
      expect((await asBrowser('GET', '/auth/session')).body).toMatchObject({ role: 'admin', via: 'session', actor: { type: 'user', label: email } });
      expect((await asBrowser('GET', '/connectors')).status).toBe(200);
      const forged = await asBrowser('POST', '/connectors', { name: 'csrf', plugin: 'tap-postgres', config: pg });
      expect(forged.status).toBe(403);
      expect(forged.body.error.message).toMatch(/CSRF/);
      expect((await asBrowser('POST', '/connectors', { name: 'csrf', plugin: 'tap-postgres', config: pg }, { 'x-csrf-token': 'wrong' })).status).toBe(403);
      const made = await asBrowser('POST', '/connectors', { name: 'csrf', plugin: 'tap-postgres', config: pg }, { 'x-csrf-token': csrf });
      expect(made.status).toBe(201);
      const [event] = await t.db.execute<{ actor_type: string; actor_label: string }>(sql`select actor_type, actor_label from audit_events where resource_id = ${made.body.id}`);
      expect(event).toEqual({ actor_type: 'user', actor_label: email });
      expect((await asBrowser('POST', '/auth/sign-out')).status).toBe(403);
      expect((await asBrowser('GET', '/connectors')).status).toBe(200);
      expect((await asBrowser('POST', '/auth/sign-out', undefined, { 'x-csrf-token': csrf })).status).toBe(204);
      expect((await asBrowser('GET', '/connectors')).status).toBe(401);
    });

    it('shows a token once, stores it hashed, tracks last use, and revokes it', async () => {
      const created = await call(a.owner, 'POST', '/tokens', { name: 'ci', role: 'viewer' });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^slk_/);
      const [stored] = await t.db.execute<{ token_hash: string }>(sql`select token_hash from api_tokens where id = ${created.body.id}`);
      expect(stored!.token_hash).not.toContain(created.body.token);
      expect((await call(created.body.token, 'GET', '/connectors')).status).toBe(200);
      const listed = (await call(a.owner, 'GET', '/tokens')).body.data.find((x: { id: string }) => x.id === created.body.id);
      expect(listed.last_used_at).not.toBeNull();
      expect(JSON.stringify((await call(a.owner, 'GET', '/tokens')).body)).not.toContain(created.body.token);
      expect((await call(a.admin, 'POST', '/tokens', { name: 'up', role: 'owner' })).status).toBe(403);
      expect((await call(a.owner, 'DELETE', `/tokens/${created.body.id}`)).status).toBe(204);
      expect((await call(created.body.token, 'GET', '/connectors')).status).toBe(401);
    });

    it('keeps the last owner', async () => {
      const tenant = await t.tenantWithTokens('solo');
      const owner = await join(tenant.owner, `solo-${tenant.tenant.slug}@example.com`, 'owner', 'a long enough password');
      expect((await call(tenant.owner, 'DELETE', `/members/${owner.user.id}`)).status).toBe(409);
      expect((await call(tenant.owner, 'POST', '/members', { email: `solo-${tenant.tenant.slug}@example.com`, role: 'viewer' })).status).toBe(409);
      // nobody sends a password for someone else any more
      expect((await call(tenant.owner, 'POST', '/members', { email: 'new-person@example.com', role: 'viewer', password: 'chosen by the inviter' })).body.error.fields).toEqual({ _: [expect.stringMatching(/password/)] });
    });
  });

  describe('audit', () => {
    it('records every change, newest first, paginated, for owners and admins only', async () => {
      const first = await call(a.owner, 'GET', '/audit?limit=3');
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(3);
      const second = await call(a.owner, 'GET', `/audit?limit=3&cursor=${first.body.next_cursor}`);
      expect(second.body.data[0].id).toBeLessThan(first.body.data[2].id);
      const all: Array<{ action: string }> = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ action: string }>; next_cursor: string | null } } = await call(a.admin, 'GET', `/audit?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
        all.push(...res.body.data);
        cursor = res.body.next_cursor;
      } while (cursor);
      const actions = new Set(all.map((e) => e.action));
      for (const action of ['connector.create', 'connector.update', 'connector.delete', 'pipeline.create', 'pipeline.update', 'pipeline.delete', 'pipeline.run', 'token.create', 'token.revoke', 'member.add', 'invitation.create', 'invitation.accept']) {
        expect(actions, action).toContain(action);
      }
      expect((await call(a.viewer, 'GET', '/audit')).status).toBe(403);
      expect((await call(a.owner, 'GET', '/audit?cursor=abc')).status).toBe(400);
    });
  });

  describe('API hygiene', () => {
    it('publishes OpenAPI built from the same schemas, for every route', async () => {
      const res = await call(undefined, 'GET', '/openapi.json');
      expect(res.status).toBe(200);
      for (const op of operations) expect(res.body.paths[op.path]?.[op.method], `${op.method} ${op.path}`).toBeDefined();
      expect(res.body.paths['/connectors'].post.requestBody.content['application/json'].schema.properties.name).toMatchObject({ type: 'string', maxLength: 100 });
    });

    it('answers wrong methods 405 with Allow, unknown routes 404, oversized bodies 413, bad JSON and bad query 400', async () => {
      const wrong = await call(a.owner, 'PUT', `/connectors/${ids.connector}`, {});
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, PATCH, DELETE');
      expect((await call(a.owner, 'GET', '/no/such/thing')).status).toBe(404);
      expect((await call(a.owner, 'POST', '/connectors', { name: 'x', plugin: 'tap-postgres', config: { host: 'h'.repeat(1_100_000) } })).status).toBe(413);
      expect((await call(a.owner, 'POST', '/connectors', '{"name":')).body.error.code).toBe('bad_request');
      expect((await call(a.owner, 'GET', '/connectors?limit=abc')).body.error.fields).toEqual({ limit: ['must be a number'] });
      expect((await call(a.owner, 'GET', '/connectors?limit=1000')).body.error.fields).toEqual({ limit: ['must be at most 200'] });
      expect((await call(a.owner, 'GET', '/connectors?cursor=zzz')).body.error.fields).toEqual({ cursor: ['is not a valid cursor'] });
      expect((await call(a.owner, 'POST', '/connectors', { name: 'x', plugin: 'tap-postgres', config: pg, extra: 1 })).body.error.fields).toEqual({ _: [expect.stringMatching(/extra/)] });
    });

    it('writes nothing when a request fails half way', async () => {
      // A tenant of this test's own: counts and rows are scoped to it, so other test files
      // writing to the same database meanwhile cannot move them.
      const own = await t.tenantWithTokens('half');
      const source = (await call(own.admin, 'POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: pg })).body.id as string;
      const spare = (await call(own.admin, 'POST', '/connectors', { name: 'spare', plugin: 'tap-postgres', config: pg })).body.id as string;
      const pipeline = (await call(own.admin, 'POST', '/pipelines', { name: 'p', source_connector_id: source, streams: [{ stream: 'x' }] })).body.id as string;
      const snapshot = async () => ({
        connectors: await t.db.execute(sql`select * from connectors where tenant_id = ${own.tenant.id} order by id`),
        pipelines: await t.db.execute(sql`select * from pipelines where tenant_id = ${own.tenant.id} order by id`),
        audit: await t.db.execute(sql`select id from audit_events where tenant_id = ${own.tenant.id} order by id`),
      });
      const before = await snapshot();
      expect(before.connectors).toHaveLength(2);
      expect(before.pipelines).toHaveLength(1);

      // Every change writes its row first and its audit event last, in one transaction. A
      // trigger refuses this tenant's audit events, so each request below fails after its
      // first write: only the rollback keeps that write out. The sequence (which a rollback
      // does not undo) counts the refusals, proving each request got that far.
      const name = `half_${own.tenant.id.replace(/-/g, '')}`;
      await t.db.execute(sql.raw(`create sequence ${name}`));
      await t.db.execute(
        sql.raw(`create function ${name}() returns trigger language plpgsql as $$ begin
          if new.tenant_id = '${own.tenant.id}' then perform nextval('${name}'); raise exception 'audit refused by the test'; end if;
          return new; end $$`),
      );
      await t.db.execute(sql.raw(`create trigger ${name} before insert on audit_events for each row execute function ${name}()`));
      try {
        const requests: Array<[string, string, unknown?]> = [
          ['POST', '/connectors', { name: 'new', plugin: 'tap-postgres', config: pg }],
          ['PATCH', `/connectors/${source}`, { name: 'renamed', config: { port: 5433, password: 'new-secret' } }],
          ['DELETE', `/connectors/${spare}`],
          ['POST', '/pipelines', { name: 'new', source_connector_id: source, streams: [{ stream: 'y' }] }],
          ['PATCH', `/pipelines/${pipeline}`, { name: 'renamed', enabled: false }],
          ['DELETE', `/pipelines/${pipeline}`],
        ];
        for (const [method, path, body] of requests) {
          const res = await call(own.admin, method, path, body);
          expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(500);
        }
        const [refused] = await t.db.execute<{ n: string }>(sql.raw(`select last_value as n from ${name}`));
        expect(Number(refused!.n)).toBe(requests.length);
      } finally {
        await t.db.execute(sql.raw(`drop trigger if exists ${name} on audit_events`));
        await t.db.execute(sql.raw(`drop function if exists ${name}()`));
        await t.db.execute(sql.raw(`drop sequence if exists ${name}`));
      }
      expect(await snapshot()).toEqual(before);
    });
  });
});
