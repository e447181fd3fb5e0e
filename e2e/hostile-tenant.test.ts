import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { defaultDestinationDatabase } from '../core/pipelines/destination-database.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tenants from '../core/tenants/service.js';
import { dataDir } from '../scripts/local-env.js';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type Run = { status: string; error: string | null; rows_loaded?: number | null; result?: { stages?: Array<{ stage: string; ok: boolean; settings?: string[] }> } | null };
type ApiError = { error: { code: string; message: string; fields: Record<string, string[]> } };

// A tenant admin turns connectors against the platform (issue 8, findings 1 and 4): the
// platform's own Postgres, Redis and ClickHouse, private addresses, and the server's files.
// The operator here allows every loopback address, so what holds is the platform rule itself.
describe('a hostile tenant admin', () => {
  let stack: Stack;
  let adminToken: string;
  let filesDir: string;
  let tenantFolder: string;
  let platformDb: string;
  const admin = async <T = Record<string, unknown>>(method: string, route: string, body?: unknown) => {
    const response = await fetch(`${stack.baseUrl}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
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
