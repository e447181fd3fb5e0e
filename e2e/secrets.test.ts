import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../db/migrate.js';
import { keyringFrom } from '../db/keyring.js';
import { connectors, plugins } from '../db/schema/index.js';
import { syncCatalog } from '../core/plugins/service.js';
import { loadConnectorForRun } from '../core/connectors/service.js';
import { readSse, startStack, waitForRun, type SseEvent, type Stack } from './stack.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';

type AuditEvent = { id: number; action: string; resource: { type: string; id: string | null }; changes: Record<string, unknown> };

/** Every form a secret could take in text we look at: as is, inside JSON, in a URL, base64. */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')])];
}

const sseText = (events: SseEvent[]) => events.map((e) => `id: ${e.id ?? ''}\nevent: ${e.event}\ndata: ${e.data}`).join('\n\n');

describe('connector secrets', () => {
  let stack: Stack;
  let sourceUrl: string;
  const table = `secrets_${randomBytes(4).toString('hex')}`;
  const S1 = `sekret-${randomBytes(12).toString('hex')}`;
  const S2 = `rotated-${randomBytes(12).toString('hex')}`;
  /** Every response the API gave: method, route, status, headers and the body exactly as sent. */
  const responses: string[] = [];

  beforeAll(async () => {
    // Workers log everything they would log.
    stack = await startStack({ logLevel: 'trace' });
    // Sources live on their own PostgreSQL: connectors may not reach the platform's.
    const url = new URL(sourceDatabaseUrl());
    url.pathname = '/sluice_test_source';
    sourceUrl = url.toString();
    await ensureDatabase(sourceUrl);
    const source = postgres(sourceUrl, { max: 1, onnotice: () => {} });
    await source.unsafe(`create table ${table} (id int primary key, name text)`);
    await source.unsafe(`insert into ${table} values (1, 'one'), (2, 'two')`);
    await source.end();
  });

  afterAll(async () => {
    const source = postgres(sourceUrl, { max: 1, onnotice: () => {} });
    await source.unsafe(`drop table if exists ${table}`);
    await source.end();
    await stack?.stop();
  });

  it('a known secret never appears in any response body, log output or audit row during a full create/update/test/run cycle', async () => {
    const api = async <T = Record<string, unknown>>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const response = await fetch(`${stack.baseUrl}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${stack.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      responses.push(`${method} ${route} → ${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`);
      return { status: response.status, body: JSON.parse(text) as T };
    };
    // waitForRun polls through this too, so every GET /runs/:id is recorded.
    const recording: Stack = { ...stack, api };

    const source = new URL(sourceUrl);
    const port = Number(source.port || 5432);
    // The test Postgres trusts local connections: the password is carried everywhere but not checked.
    const created = await api<{ id: string; config: Record<string, unknown> }>('POST', '/connectors', {
      name: 'secret source',
      plugin: 'tap-postgres',
      config: { host: source.hostname, port, user: 'postgres', password: S1, database: 'sluice_test_source', filter_schemas: ['public'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.config.password).toBe('********');
    const id = created.body.id;

    expect((await api('GET', `/connectors/${id}`)).status).toBe(200);
    const list = await api<{ data: Array<{ id: string }> }>('GET', '/connectors');
    expect(list.body.data.map((c) => c.id)).toContain(id);
    const replaced = await api<{ secrets: Record<string, unknown> }>('PATCH', `/connectors/${id}`, { config: { password: S2 } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.secrets.password).toEqual({ value: '********', has_value: true });
    expect((await api('PATCH', `/connectors/${id}`, { config: { port } })).status).toBe(200);

    const test = await api<{ run_id: string }>('POST', `/connectors/${id}/test`);
    expect(test.status).toBe(202);
    const testRun = await waitForRun(recording, test.body.run_id);
    expect(testRun.status, String(testRun.error)).toBe('succeeded');
    expect((await api<{ status: string }>('GET', `/connectors/${id}`)).body.status).toBe('active');

    const pipeline = await api<{ id: string }>('POST', '/pipelines', { name: 'secret pipeline', source_connector_id: id, streams: [{ stream: `public-${table}` }] });
    expect(pipeline.status).toBe(201);
    expect((await api('GET', `/pipelines/${pipeline.body.id}`)).status).toBe(200);
    const sync = await api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`);
    expect(sync.status).toBe(202);
    const syncRun = await waitForRun(recording, sync.body.run_id);
    expect(syncRun.status, String(syncRun.error)).toBe('succeeded');
    expect(syncRun.rows_loaded).toBe(2);

    const testLog = await readSse(`${stack.baseUrl}/api/v1/runs/${test.body.run_id}/logs`, stack.token);
    const syncLog = await readSse(`${stack.baseUrl}/api/v1/runs/${sync.body.run_id}/logs`, stack.token);
    for (const log of [testLog, syncLog]) {
      expect(log.events.filter((e) => e.event === 'log').length).toBeGreaterThan(0);
      expect(JSON.parse(log.events.at(-1)!.data)).toMatchObject({ type: 'end', status: 'succeeded' });
    }
    expect(sseText(syncLog.events)).toContain('Sync completed');

    const audit: AuditEvent[] = [];
    let pages = 0;
    for (let cursor: string | null = null; pages === 0 || cursor !== null; pages++) {
      const page: { status: number; body: { data: AuditEvent[]; next_cursor: string | null } } = await api('GET', `/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      audit.push(...page.body.data);
      cursor = page.body.next_cursor;
    }
    expect(pages).toBeGreaterThan(1);
    expect((await api('GET', '/openapi.json')).status).toBe(200);

    // The audit log says that the password was set and replaced, and that the port-only change left it alone.
    const connectorEvents = audit.filter((e) => e.resource.id === id).reverse();
    expect(connectorEvents.map((e) => e.action)).toEqual(['connector.create', 'connector.update', 'connector.update', 'connector.test']);
    expect(connectorEvents[0]!.changes).toMatchObject({ password: { secret: 'set' }, config: { host: source.hostname, port } });
    expect(connectorEvents[0]!.changes.config).not.toHaveProperty('password');
    expect(connectorEvents[1]!.changes).toEqual({ password: { secret: 'replaced' } });
    expect(connectorEvents[2]!.changes).not.toHaveProperty('password');

    const auditRows = await stack.db.execute(sql`select * from audit_events where tenant_id = ${stack.tenant.id} order by id`);
    expect(auditRows.length).toBe(audit.length);
    expect(auditRows.filter((r) => r.resource_id === id).map((r) => (r.changes as Record<string, unknown>).password ?? null)).toEqual([
      { secret: 'set' },
      { secret: 'replaced' },
      null,
      null,
    ]);

    // The stored row holds the secret, encrypted: S2 comes back out with the service's key, and S1 is gone.
    const [row] = await stack.db.select().from(connectors).where(eq(connectors.id, id));
    expect(row!.secretCiphertext).toMatch(/^v1\./);
    expect(row!.wrappedKey).toMatch(/^v1\./);
    expect(row!.keyId).toBe(stack.env.SLUICE_MASTER_KEY_ID);
    expect(row!.secretNames).toEqual(['password']);
    expect(loadConnectorForRun(keyringFrom(stack.env), row!).config.password).toBe(S2);
    const connectorRows = await stack.db.execute(sql`select * from connectors where id = ${id}`);
    const runRows = await stack.db.execute(sql`select * from runs where tenant_id = ${stack.tenant.id}`);
    expect(runRows.length).toBe(2);
    // The pipeline's saved state (Sluice's own table: no Meltano run rows any more).
    const stateRows = await stack.db.execute(sql`select * from pipeline_states where pipeline_id = ${pipeline.body.id}`);
    expect(stateRows.length).toBe(1);

    // The logs were captured (the worker's file fills through a pipe, so wait for both runs' last lines).
    expect(stack.apiLog()).toContain('api listening');
    const workerLogs = async () => (await Promise.all(stack.workerLogFiles.map((file) => readFile(file, 'utf8').catch(() => '')))).join('\n');
    const deadline = Date.now() + 10_000;
    while (!(await workerLogs()).split('\n').some((l) => l.includes('"run finished"') && l.includes(sync.body.run_id))) {
      expect(Date.now() < deadline, 'the worker log never showed the sync run finishing').toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const workerLog = await workerLogs();
    for (const runId of [test.body.run_id, sync.body.run_id]) {
      expect(workerLog.split('\n').filter((l) => l.includes(runId) && (l.includes('"run started"') || l.includes('"run finished"')))).toHaveLength(2);
    }

    const sources: Record<string, string> = {
      'API responses': responses.join('\n\n'),
      'test run log (SSE)': sseText(testLog.events),
      'sync run log (SSE)': sseText(syncLog.events),
      'API log': stack.apiLog(),
      'worker log': workerLog,
      'audit_events rows': JSON.stringify(auditRows),
      'connectors row': JSON.stringify(connectorRows),
      'runs rows': JSON.stringify(runRows),
      'pipeline_states rows': JSON.stringify(stateRows),
    };
    expect(responses.length).toBeGreaterThan(15);
    const leaks: string[] = [];
    for (const [label, secret] of [['S1', S1], ['S2', S2]] as const) {
      for (const form of formsOf(secret)) {
        for (const [where, text] of Object.entries(sources)) {
          const at = text.indexOf(form);
          if (at >= 0) leaks.push(`${label} (${form === secret ? 'as is' : `as ${form}`}) in ${where}: …${text.slice(Math.max(0, at - 200), at + form.length + 50)}…`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
  /** Runs a test, a discovery and a sync of a connector that fails, then finds every place a secret part shows up. */
  async function failingRunsLeak(id: string, stream: string, parts: string[]) {
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: `failing ${id}`, source_connector_id: id, streams: [{ stream }] });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    const runIds: string[] = [];
    for (const route of [`/connectors/${id}/test`, `/connectors/${id}/discover`, `/pipelines/${pipeline.body.id}/runs`]) {
      const started = await stack.api<{ run_id: string }>('POST', route);
      expect(started.status, route).toBe(202);
      const run = await waitForRun(stack, started.body.run_id);
      expect(run.status, `${route}: ${String(run.error)}`).toBe('failed');
      runIds.push(started.body.run_id);
    }
    const texts: Record<string, string> = {
      connector: JSON.stringify((await stack.api('GET', `/connectors/${id}`)).body),
      runs: JSON.stringify((await stack.api('GET', `/runs?connector_id=${id}`)).body),
      'runs rows': JSON.stringify(await stack.db.execute(sql`select * from runs where connector_id = ${id}`)),
      'connectors row': JSON.stringify(await stack.db.execute(sql`select config, last_test_error from connectors where id = ${id}`)),
      'API log': stack.apiLog(),
    };
    for (const runId of runIds) {
      texts[`log ${runId}`] = sseText((await readSse(`${stack.baseUrl}/api/v1/runs/${runId}/logs`, stack.token)).events);
      const download = await fetch(`${stack.baseUrl}/api/v1/runs/${runId}/log`, { headers: { authorization: `Bearer ${stack.token}` } });
      texts[`download ${runId}`] = await download.text();
    }
    texts['worker log'] = (await Promise.all(stack.workerLogFiles.map((file) => readFile(file, 'utf8').catch(() => '')))).join('\n');
    const leaks = parts.flatMap((part) => Object.entries(texts).filter(([, text]) => text.includes(part)).map(([where, text]) => `${part} in ${where}: …${text.slice(Math.max(0, text.indexOf(part) - 150), text.indexOf(part) + part.length + 40)}…`));
    return { runIds, leaks };
  }

  it('a secret connection URL never comes back from failing tests, discoveries and syncs of a real tap', async () => {
    const S3 = `pw:${randomBytes(10).toString('hex')}@x`;
    const source = new URL(sourceUrl);
    const missing = `nowhere_${randomBytes(4).toString('hex')}`;
    // The server is allowed and answers; the database does not exist, so every run fails after connecting.
    const url = `postgresql://postgres:${encodeURIComponent(S3)}@${source.hostname}:${source.port || 5432}/${missing}`;
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'secret url source', plugin: 'tap-postgres', config: { sqlalchemy_url: url } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { runIds, leaks } = await failingRunsLeak(created.body.id, `public-${table}`, [url, ...formsOf(S3), S3.slice(3, 23)]);
    expect(leaks).toEqual([]);
    // The reason is still useful: it names the database, not the credentials.
    expect((await stack.api<{ error: string }>('GET', `/runs/${runIds[0]}`)).body.error).toContain(missing);
  });

  it('a tap that prints its connection URL, and its password on its own, has every part scrubbed before anything is stored or shown', async () => {
    await syncCatalog(stack.db, [
      {
        name: 'tap-leaky',
        kind: 'extractor',
        namespace: 'tap_leaky',
        executable: 'e2e/fixtures/tap-leaky.mjs',
        label: 'Leaky',
        description: 'test plugin that prints its secrets',
        category: 'test',
        setup_guide: 'none',
        capabilities: ['catalog', 'discover'],
        settings: [{ name: 'connection_url', kind: 'password', sensitive: true }],
        settings_group_validation: [['connection_url']],
      },
    ]);
    const S4 = `p@ss/${randomBytes(10).toString('hex')}`;
    const source = new URL(sourceUrl);
    const url = `postgresql://leaky_user:${encodeURIComponent(S4)}@${source.hostname}:${source.port || 5432}/db`;
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'leaky source', plugin: 'tap-leaky', config: { connection_url: url } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    try {
      const { runIds, leaks } = await failingRunsLeak(created.body.id, 'anything', [url, ...formsOf(S4), S4.slice(5, 25)]);
      expect(leaks).toEqual([]);
      // What the tap said still reaches the user, with the password masked.
      expect((await stack.api<{ error: string }>('GET', `/runs/${runIds[1]}`)).body.error).toMatch(/password "\*+" was rejected for user "leaky_user"/);
    } finally {
      await stack.db.execute(sql`delete from pipelines where source_connector_id = ${created.body.id}`);
      await stack.db.execute(sql`delete from connectors where plugin_name = 'tap-leaky'`);
      await stack.db.delete(plugins).where(eq(plugins.name, 'tap-leaky'));
    }
  });
});
