import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { defaultDestinationDatabase } from '../core/pipelines/destination-database.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tenants from '../core/tenants/service.js';
import { dataDir } from '../scripts/local-env.js';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type Run = { status: string; error: string | null; rows_loaded?: number | null; result?: { stages?: Array<{ stage: string; ok: boolean; settings?: string[] }> } | null };
type ApiError = { error: { code: string; message: string; fields: Record<string, string[]> } };

// Hostile tenants (issue 8, findings 1-4), end to end through the running stack.
//
// A tenant admin turns connectors against the platform (issue 8, findings 1 and 4): the
// platform's own Postgres, Redis and ClickHouse, private addresses, and the server's files.
// The operator here allows every loopback address, so what holds is the platform rule itself.
describe('a hostile tenant admin', () => {
  let stack: Stack;
  let adminToken: string;
  let filesDir: string;
  let tenantFolder: string;
  let platformDb: string;
  const admin = <T = Record<string, unknown>>(method: string, route: string, body?: unknown) => stack.apiAs(adminToken)<T>(method, route, body);
  let made = 0;
  const connector = async (plugin: string, config: Record<string, unknown>) => {
    const created = await admin<{ id: string }>('POST', '/connectors', { name: `c${(made += 1)}`, plugin, config });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id;
  };
  const run = async (route: string, body?: unknown) => {
    const started = await admin<{ run_id: string }>('POST', route, body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return (await waitForRun(stack, started.body.run_id)) as unknown as Run;
  };
  /** The connection test stops at its settings stage, naming `field`; nothing was discovered. */
  const refusedAtSettings = async (id: string, field: string, why: RegExp) => {
    const tested = await run(`/connectors/${id}/test`);
    expect(tested.status).toBe('failed');
    expect(tested.result?.stages?.map((s) => [s.stage, s.ok])).toEqual([['settings', false]]);
    expect(tested.result?.stages?.[0]?.settings).toContain(field);
    expect(tested.error).toMatch(/^Checking the settings failed: /);
    expect(tested.error).toContain(field);
    expect(tested.error).toMatch(why);
    expect((await admin('GET', `/connectors/${id}/streams`)).status).toBe(404);
    return tested;
  };

  beforeAll(async () => {
    filesDir = await mkdtemp(path.join(tmpdir(), 'sluice-files-'));
    // Plugins run under user ids of their own: the files folder must be open to them (mkdtemp makes it 0700).
    await chmod(filesDir, 0o755);
    stack = await startStack({ workers: 1, env: { SLUICE_FILES_DIR: filesDir }, allowNetworks: ['127.0.0.0/8', '::1/128'] });
    adminToken = (await tenants.createToken(stack.db, stack.tenant.id, 'hostile admin', 'admin')).token;
    tenantFolder = path.join(filesDir, stack.tenant.slug);
    platformDb = new URL(stack.env.DATABASE_URL).pathname.slice(1);
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(filesDir, { recursive: true, force: true });
  });

  it("cannot read the platform's database through tap-postgres, by any name for this machine", async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '2130706433']) {
      const id = await connector('tap-postgres', { host, port: 5432, user: 'postgres', password: 'anything', database: platformDb, filter_schemas: ['public'] });
      await refusedAtSettings(id, 'host', /Sluice's own services \(its PostgreSQL database\)/);
    }
    const id = await connector('tap-postgres', { host: 'localhost', port: 5432, user: 'postgres', password: 'anything', database: platformDb });
    // Discovery and preview refuse before any tap starts: no catalog, no rows.
    const discovered = await run(`/connectors/${id}/discover`);
    expect(discovered).toMatchObject({ status: 'failed', error: expect.stringContaining('host') });
    const preview = await run(`/connectors/${id}/preview`, { stream: 'public-users', limit: 5 });
    expect(preview).toMatchObject({ status: 'failed', error: expect.stringContaining('host') });
    expect(JSON.stringify(preview)).not.toMatch(/password_hash|scrypt/);
    // And a scheduled or manual sync of it loads nothing.
    const pipeline = await admin<{ id: string }>('POST', '/pipelines', { name: 'steal users', source_connector_id: id, streams: [{ stream: 'public-users' }] });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    const synced = await run(`/pipelines/${pipeline.body.id}/runs`);
    expect(synced).toMatchObject({ status: 'failed', error: expect.stringContaining('its PostgreSQL database') });
    expect(synced.rows_loaded ?? 0).toBe(0);
  });

  it('cannot do it through a SQLAlchemy URL either, and the refusal keeps the password out', async () => {
    const id = await connector('tap-postgres', { sqlalchemy_url: `postgresql+psycopg://postgres:hunter2-hostile@127.0.0.1:5432/${platformDb}` });
    const tested = await refusedAtSettings(id, 'sqlalchemy_url', /its PostgreSQL database/);
    expect(JSON.stringify(tested)).not.toContain('hunter2-hostile');
    const unix = await admin<ApiError>('POST', '/connectors', { name: 'socket', plugin: 'tap-postgres', config: { sqlalchemy_url: `postgresql:///${platformDb}` } });
    expect(unix.status).toBe(400);
    expect(unix.body.error.fields).toHaveProperty('sqlalchemy_url');
    const dsn = await admin<ApiError>('POST', '/connectors', { name: 'dsn', plugin: 'tap-postgres', config: { sqlalchemy_url: `host=127.0.0.1 port=5432 dbname=${platformDb}` } });
    expect(dsn.status).toBe(400);
    expect(dsn.body.error.fields.sqlalchemy_url?.[0]).toMatch(/connection string/);
  });

  it("cannot reach the platform's Redis or ClickHouse through a URL setting", async () => {
    const database = defaultDestinationDatabase(stack.tenant.slug);
    await refusedAtSettings(await connector('target-clickhouse', { url: 'http://127.0.0.1:6379', database }), 'url', /its Redis/);
    await refusedAtSettings(await connector('target-clickhouse', { url: 'http://localhost:8123', database }), 'url', /its ClickHouse/);
    // Left at its default URL, a tenant's own ClickHouse connector is the platform's: refused too.
    await refusedAtSettings(await connector('target-clickhouse', { database }), 'url', /its ClickHouse/);
  });

  it('cannot reach a private address the operator did not allow, and the test never connects to it', async () => {
    const id = await connector('tap-postgres', { host: '10.255.255.1', port: 5432, user: 'postgres', password: 'x', database: 'x' });
    await refusedAtSettings(id, 'host', /private network address/);
    await refusedAtSettings(await connector('tap-postgres', { host: '169.254.169.254', port: 80, user: 'u', password: 'x', database: 'x' }), 'host', /link-local/);
  });

  it("cannot read the server's files through tap-jsonl", async () => {
    const refused = async (value: string, reason: RegExp) => {
      const created = await admin<ApiError>('POST', '/connectors', { name: `f${(made += 1)}`, plugin: 'tap-jsonl', config: { path: value, stream_name: 'logs' } });
      expect(created.status, value).toBe(400);
      expect(created.body.error.fields.path?.[0], value).toMatch(reason);
    };
    await refused(path.join(dataDir, 'test-logs', '*'), /not a path from the root/);
    await refused('/etc/passwd', /not a path from the root/);
    await refused('../../.data/test-logs/*.log', /go up a folder/);
    await refused('logs/../../x', /go up a folder/);
    // A symlink inside the tenant's folder that leads out: refused when the run would start.
    await mkdir(tenantFolder, { recursive: true });
    await symlink(path.join(dataDir, 'test-logs'), path.join(tenantFolder, 'logs'));
    for (const value of ['logs/*', 'logs']) {
      const id = await connector('tap-jsonl', { path: value, stream_name: 'logs' });
      await refusedAtSettings(id, 'path', /leads out of your files folder|link that leads out/);
    }
    const globbed = await connector('tap-jsonl', { path: '*', stream_name: 'logs' });
    await refusedAtSettings(globbed, 'path', /link that leads out/);
    // PATCH is held to the same rule.
    const legit = await connector('tap-jsonl', { path: 'orders.jsonl', stream_name: 'orders' });
    const patched = await admin<ApiError>('PATCH', `/connectors/${legit}`, { config: { path: '/work/main/.data/master.key' } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.fields).toHaveProperty('path');
  });

  it('cannot reach the platform through the MySQL or REST API sources, nor read files through the CSV one', async () => {
    // tap-mysql: a host and port like tap-postgres's.
    await refusedAtSettings(await connector('tap-mysql', { host: '127.0.0.1', port: 5432, user: 'postgres' }), 'host', /its PostgreSQL database/);
    await refusedAtSettings(await connector('tap-mysql', { host: 'localhost', port: 6379, user: 'root' }), 'host', /its Redis/);
    await refusedAtSettings(await connector('tap-mysql', { host: '::1', port: 8123, user: 'root' }), 'host', /its ClickHouse/);
    // tap-rest-api: its base URL, and a stream path that would move the request to another server once appended.
    const stream = { name: 'orders', path: '/orders' };
    await refusedAtSettings(await connector('tap-rest-api', { api_url: 'http://127.0.0.1:8123/?query=SELECT+1', streams: [stream] }), 'api_url', /its ClickHouse/);
    await refusedAtSettings(await connector('tap-rest-api', { api_url: 'http://localhost:6379', streams: [stream] }), 'api_url', /its Redis/);
    const moved = await admin<ApiError>('POST', '/connectors', { name: 'moved', plugin: 'tap-rest-api', config: { api_url: 'https://api.example.com', streams: [{ name: 'x', path: '@127.0.0.1:5432/' }] } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.fields['streams.0.path']?.[0]).toMatch(/must start with \//);
    // A stream's schema may name a JSON file: only one inside the tenant's folder.
    const schemaFile = await admin<ApiError>('POST', '/connectors', { name: 'schema', plugin: 'tap-rest-api', config: { api_url: 'https://api.example.com', streams: [{ name: 'x', path: '/x', schema: '/etc/passwd' }] } });
    expect(schemaFile.status).toBe(400);
    expect(schemaFile.body.error.fields['streams.0.schema']?.[0]).toMatch(/not a path from the root/);

    // tap-csv: each entry's path is held to the files rule, one by one.
    const csv = async (files: Array<Record<string, unknown>>) => admin<ApiError>('POST', '/connectors', { name: `csv${(made += 1)}`, plugin: 'tap-csv', config: { files } });
    const refused = await csv([{ path: 'ok.csv', format: 'csv' }, { path: '/etc/passwd', format: 'csv' }, { path: '../other/secret.csv', format: 'csv' }, { path: 'x::http://127.0.0.1:6379/', format: 'csv' }, { path: 's3://bucket/a.csv', format: 'csv' }]);
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body.error.fields).sort()).toEqual(['files', 'files.1.path', 'files.2.path', 'files.3.path', 'files.4.path']);
    // Another tenant's folder through a link in this one: refused when a run would start.
    const neighbour = path.join(filesDir, `${stack.tenant.slug}-next-door`);
    await mkdir(neighbour, { recursive: true });
    await writeFile(path.join(neighbour, 'secret.csv'), 'id,secret\n1,theirs\n');
    await mkdir(tenantFolder, { recursive: true });
    await symlink(neighbour, path.join(tenantFolder, 'neighbour'));
    await refusedAtSettings(await connector('tap-csv', { files: [{ path: 'neighbour/secret.csv', format: 'csv', table_name: 'x' }] }), 'files.0.path', /leads out of your files folder/);
    await refusedAtSettings(await connector('tap-csv', { files: [{ path: '*/*.csv', format: 'csv', table_name: 'x' }] }), 'files.0.path', /link that leads out/);
  });

  it('still tests and syncs what it is allowed to reach', async () => {
    // A file in its own folder.
    await writeFile(path.join(tenantFolder, 'orders.jsonl'), '{"id": 1, "item": "mug"}\n{"id": 2, "item": "lamp"}\n');
    const file = await connector('tap-jsonl', { path: 'orders.jsonl', stream_name: 'orders' });
    const fileTest = await run(`/connectors/${file}/test`);
    expect(fileTest.status, String(fileTest.error)).toBe('succeeded');
    // A database on the sources' server, synced into the platform's ClickHouse.
    const source = await sourceTable(stack.env.DATABASE_URL, 5);
    try {
      const id = await connector('tap-postgres', source.config);
      const pipeline = await admin<{ id: string }>('POST', '/pipelines', { name: 'legit', source_connector_id: id, streams: [{ stream: source.stream }] });
      const synced = await run(`/pipelines/${pipeline.body.id}/runs`);
      expect(synced.status, String(synced.error)).toBe('succeeded');
      expect(synced.rows_loaded).toBe(5);
    } finally {
      await source.drop();
    }
  });
});

// A hostile tenant B tries to load into tenant A's ClickHouse database, through the whole
// stack: the API refuses it on every way in, and B's own sync lands only in B's database.
// B's slug extends A's (`t-xxxx` and `t-xxxx-corp`), the case where a loose prefix rule
// would let one tenant's namespace cover another's.
describe('a hostile tenant next door (findings 2 and 3)', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let tokenB = '';
  let ownerB = '';
  let dbA = '';
  let dbB = '';
  const clickhouse = () => createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
  const asB = (method: string, route: string, body?: unknown) => stack.apiAs(tokenB)<any>(method, route, body);
  const tablesIn = async (database: string) => {
    const client = clickhouse();
    // (18.16 has no query parameters; these names are our own [a-z0-9_])
    const rows = await (await client.query({ query: `SELECT name FROM system.tables WHERE database = '${database.replace(/[^a-z0-9_]/g, '')}' ORDER BY name`, format: 'JSONEachRow' })).json<{ name: string }>();
    await client.close();
    return rows.map((r) => r.name);
  };
  const countIn = async (database: string, table: string) => {
    const client = clickhouse();
    const [row] = await (await client.query({ query: `SELECT count() AS n FROM \`${database}\`.\`${table}\``, format: 'JSONEachRow' })).json<{ n: string }>();
    await client.close();
    return Number(row?.n);
  };

  beforeAll(async () => {
    stack = await startStack();
    source = await sourceTable(stack.env.DATABASE_URL, 5);
    const tenantB = await tenants.createTenant(stack.db, `${stack.tenant.slug}-corp`);
    tokenB = (await tenants.createToken(stack.db, tenantB.id, 'attacker', 'admin')).token;
    ownerB = (await tenants.createToken(stack.db, tenantB.id, 'attacker owner', 'owner')).token;
    dbA = defaultDestinationDatabase(stack.tenant.slug);
    dbB = defaultDestinationDatabase(tenantB.slug);
    expect(dbB.startsWith(`${dbA}_`)).toBe(true);
  });
  afterAll(async () => {
    await source?.drop();
    await stack?.stop();
  });

  it('refuses every way into A’s database and lands B’s sync in B’s own', async () => {
    // A loads its table first.
    const connectorA = await stack.api<{ id: string }>('POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: source.config });
    const pipelineA = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: 'a', source_connector_id: connectorA.body.id, streams: [{ stream: source.stream }] });
    expect(pipelineA.body.destination.database).toBe(dbA);
    const runA = await waitForRun(stack, (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineA.body.id}/runs`)).body.run_id);
    expect(runA.status, JSON.stringify(runA)).toBe('succeeded');
    const table = `public_${source.table}`;
    const tablesOfA = await tablesIn(dbA);
    expect(tablesOfA).toContain(table);
    const rowsOfA = await countIn(dbA, table);

    // B, with a source of its own.
    const connectorB = await asB('POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: source.config });
    expect(connectorB.status).toBe(201);
    const streams = [{ stream: source.stream }];
    for (const database of [dbA, `${dbA}__stolen`]) {
      const created = await asB('POST', '/pipelines', { name: 'steal', source_connector_id: connectorB.body.id, streams, destination_database: database });
      expect(created.status, database).toBe(400);
      expect(Object.keys(created.body.error.fields), database).toEqual(['destination_database']);
    }
    const own = await asB('POST', '/pipelines', { name: 'own', source_connector_id: connectorB.body.id, streams });
    expect(own.status).toBe(201);
    expect(own.body.destination.database).toBe(dbB);
    const patched = await asB('PATCH', `/pipelines/${own.body.id}`, { destination_database: dbA });
    expect(patched.status).toBe(400);
    expect(Object.keys(patched.body.error.fields)).toEqual(['destination_database']);

    // Through a ClickHouse connector of B's own (pointing at the same server): refused too.
    const chConnector = await asB('POST', '/connectors', { name: 'ch', plugin: 'target-clickhouse', config: { url: stack.env.CLICKHOUSE_URL, database: dbA } });
    expect(chConnector.status).toBe(400);
    expect(Object.keys(chConnector.body.error.fields)).toEqual(['database']);
    const chOwn = await asB('POST', '/connectors', { name: 'ch', plugin: 'target-clickhouse', config: { url: stack.env.CLICKHOUSE_URL, user: stack.env.CLICKHOUSE_USER } });
    expect(chOwn.status).toBe(201);
    const viaConnector = await asB('PATCH', `/pipelines/${own.body.id}`, { destination_connector_id: chOwn.body.id, destination_database: dbA });
    expect(viaConnector.status).toBe(400);
    expect((await asB('GET', `/pipelines/${own.body.id}`)).body.destination).toEqual({ type: 'platform_clickhouse', database: dbB });

    // B's sync runs, and lands in B's database only.
    const started = await asB('POST', `/pipelines/${own.body.id}/runs`);
    expect(started.status).toBe(202);
    const deadline = Date.now() + 180_000;
    let runB: any;
    do {
      await new Promise((r) => setTimeout(r, 300));
      runB = (await asB('GET', `/runs/${started.body.run_id}`)).body;
    } while (!['succeeded', 'failed', 'cancelled'].includes(runB.status) && Date.now() < deadline);
    expect(runB.status, JSON.stringify(runB)).toBe('succeeded');
    expect(await countIn(dbB, table)).toBe(5);
    // B's loader used B's own warehouse login (a users.d file on 18.16), not the platform's.
    const client = clickhouse();
    await client.command({ query: 'SYSTEM FLUSH LOGS' });
    const loaders = await (
      await client.query({ query: `SELECT DISTINCT user FROM system.query_log WHERE query LIKE 'INSERT INTO \`${dbB}\`.%' ORDER BY user`, format: 'JSONEachRow' })
    ).json<{ user: string }>();
    await client.close();
    expect(loaders).toEqual([{ user: `${dbB}__user` }]);
    expect(await tablesIn(dbA)).toEqual(tablesOfA);
    expect(await countIn(dbA, table)).toBe(rowsOfA);
  });

  it('cannot take over a person of A through an invitation, nor learn that the person has an account', async () => {
    const call = (token: string | undefined, method: string, route: string, body?: unknown) => stack.apiAs(token)<any>(method, route, body);
    const victim = `victim-${stack.tenant.slug}@example.test`;
    const fromA = await call(stack.token, 'POST', '/members', { email: victim, role: 'admin' });
    expect(fromA.status).toBe(201);
    expect((await call(undefined, 'POST', '/auth/accept-invitation', { token: fromA.body.token, password: 'the victim chose this', name: 'Vic' })).status).toBe(200);

    // The old way in: B names a password for A's person. Refused.
    expect((await call(ownerB, 'POST', '/members', { email: victim, role: 'owner', password: 'chosen by tenant B!' })).status).toBe(400);
    // B's invitation looks the same for A's person as for a stranger.
    const known = await call(ownerB, 'POST', '/members', { email: victim, role: 'owner' });
    const unknown = await call(ownerB, 'POST', '/members', { email: `stranger-${stack.tenant.slug}@example.test`, role: 'owner' });
    expect([known.status, unknown.status]).toEqual([201, 201]);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(JSON.stringify(known.body)).not.toMatch(/Vic\b|exist|account/i);
    // Holding B's token, B cannot set the victim's password, so cannot sign in as the victim anywhere.
    expect((await call(undefined, 'POST', '/auth/accept-invitation', { token: known.body.token, password: 'chosen by tenant B!' })).status).toBe(401);
    expect((await call(undefined, 'POST', '/auth/sign-in', { email: victim, password: 'chosen by tenant B!' })).status).toBe(401);
    expect((await call(undefined, 'POST', '/auth/sign-in', { email: victim, password: 'the victim chose this', tenant: stack.tenant.slug })).status).toBe(200);
  });
});
