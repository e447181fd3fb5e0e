import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import { runProcesses } from './run-processes.js';
import { sourceTable } from './source-table.js';
import { readSse, startStack, waitForRun, type Stack } from './stack.js';

describe('connection test through the API', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The closed-port test below connects to 127.0.0.1:1: that port, and no other local one, is allowed.
    stack = await startStack({ allowNetworks: ['127.0.0.1/32:1'] });
  });
  afterAll(async () => stack?.stop());

  it('tap-salesforce without internet fails with a readable message, not a stack trace', async () => {
    const secret = 'sf-client-secret-7f3a9';
    const created = await stack.api<{ id: string }>('POST', '/connectors', {
      name: 'salesforce',
      plugin: 'tap-salesforce',
      config: { client_id: 'abc', client_secret: secret, refresh_token: 'refresh-token-9b1c', start_date: '2024-01-01' },
    });
    expect(created.status).toBe(201);
    const started = await stack.api<{ run_id: string }>('POST', `/connectors/${created.body.id}/test`);
    expect(started.status).toBe(202);

    const run = await waitForRun(stack, started.body.run_id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^Listing what can be synced failed: Could not find the server login\.salesforce\.com/);
    expect(run.error).not.toMatch(/Traceback|File "|\.py/);
    expect((run.result as { stages: Array<{ stage: string; ok: boolean }> }).stages.map((s) => [s.stage, s.ok])).toEqual([
      ['settings', true],
      ['network', true],
      ['discovery', false],
    ]);

    const connector = await stack.api<{ status: string; last_test: { ok: boolean; error: string } }>('GET', `/connectors/${created.body.id}`);
    expect(connector.body.status).toBe('error');
    expect(connector.body.last_test).toMatchObject({ ok: false, error: run.error });

    const log = await readSse(`${stack.baseUrl}/api/v1/runs/${started.body.run_id}/logs`, stack.token);
    const text = log.events.map((e) => e.data).join('\n');
    expect(text).toContain('login.salesforce.com');
    expect(text).not.toContain(secret);
    expect(JSON.parse(log.events.at(-1)!.data)).toMatchObject({ type: 'end', status: 'failed' });
  });

  // The built-in PostgreSQL source (the catalog's default) and the change-log one.
  it.each(['tap-sluice-postgres', 'tap-postgres'])('a working %s connector passes every stage and becomes active', async (plugin) => {
    const source = await sourceTable(stack.env.DATABASE_URL, 3);
    // A schema of its own: the test reads every table it can see, and other tests create and
    // drop theirs in public meanwhile (one gone between listing and reading fails the read).
    const schema = `conn_${source.table}`;
    await source.sql.unsafe(`create schema ${schema}`);
    await source.sql.unsafe(`alter table ${source.table} set schema ${schema}`);
    onTestFinished(async () => {
      await source.sql.unsafe(`drop schema ${schema} cascade`);
      await source.drop();
    });
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: `local ${plugin}`, plugin, config: { ...source.config, filter_schemas: [schema] } });
    expect(created.status).toBe(201);
    const started = await stack.api<{ run_id: string }>('POST', `/connectors/${created.body.id}/test`);
    const run = await waitForRun(stack, started.body.run_id);
    expect(run.status, String(run.error)).toBe('succeeded');
    expect((run.result as { stages: Array<{ stage: string; ok: boolean }> }).stages.map((s) => s.stage)).toEqual(['settings', 'network', 'discovery', 'first_record']);
    const connector = await stack.api<{ status: string }>('GET', `/connectors/${created.body.id}`);
    expect(connector.body.status).toBe('active');
    // the test's discovery is kept for the wizard's stream picker
    expect((await stack.api<{ data: unknown[] }>('GET', `/connectors/${created.body.id}/streams`)).body.data.length).toBeGreaterThan(0);
  });

  it('a PostgreSQL connector with a wrong password stops at listing, naming the password first (the field the wizard focuses)', async () => {
    // A login the sources' PostgreSQL checks the password of (setup adds it; the rest trusts 127.0.0.1).
    const server = new URL(sourceDatabaseUrl());
    const config = { host: server.hostname, port: Number(server.port || 5432), user: 'sluice_password_login', password: 'not-the-password', database: 'postgres' };
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'wrong password', plugin: 'tap-sluice-postgres', config });
    const run = await waitForRun(stack, (await stack.api<{ run_id: string }>('POST', `/connectors/${created.body.id}/test`)).body.run_id);
    expect(run.status).toBe('failed');
    expect(run.error).toBe('Listing what can be synced failed: The server rejected the credentials for user "sluice_password_login". Check the user name and password (or token).');
    const stages = (run.result as { stages: Array<{ stage: string; ok: boolean; settings?: string[] }> }).stages;
    expect(stages.map((s) => [s.stage, s.ok])).toEqual([['settings', true], ['network', true], ['discovery', false]]);
    expect(stages.at(-1)?.settings?.[0]).toBe('password');
  });

  it('a config missing a required setting is refused before anything runs', async () => {
    const created = await stack.api<{ error: { code: string; fields: Record<string, string[]> } }>('POST', '/connectors', {
      name: 'no password',
      plugin: 'tap-postgres',
      config: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'x' },
    });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code: 'validation_failed', fields: { password: ['is required'] } });
  });

  it('a tap-postgres connector pointing at a closed port fails saying the server refused', async () => {
    const created = await stack.api<{ id: string }>('POST', '/connectors', {
      name: 'closed port',
      plugin: 'tap-postgres',
      config: { host: '127.0.0.1', port: 1, user: 'postgres', password: 'nope-nope', database: 'x' },
    });
    const started = await stack.api<{ run_id: string }>('POST', `/connectors/${created.body.id}/test`);
    const run = await waitForRun(stack, started.body.run_id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^Reaching the server failed: The server 127\.0\.0\.1:1 refused the connection/);
    const stages = (run.result as { stages: Array<{ stage: string; ok: boolean; settings?: string[] }> }).stages;
    expect(stages.at(-1)).toMatchObject({ stage: 'network', ok: false, settings: ['host', 'port'] });
  });
});

describe('connection test time limit', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { TEST_TIMEOUT_SECONDS: '6' } });
  });
  afterAll(async () => stack?.stop());

  it('stops a test that runs past its time limit, saying which stage was too slow', async () => {
    // tap-salesforce retries its unreachable login for longer than 6 s
    const created = await stack.api<{ id: string }>('POST', '/connectors', {
      name: 'slow',
      plugin: 'tap-salesforce',
      config: { client_id: 'abc', client_secret: 'x-secret', refresh_token: 'y-token', start_date: '2024-01-01' },
    });
    const run = await waitForRun(stack, (await stack.api<{ run_id: string }>('POST', `/connectors/${created.body.id}/test`)).body.run_id);
    expect(run.status).toBe('failed');
    expect(run.error).toBe('Listing what can be synced failed: the source did not finish listing its tables (or streams) in time');
    // nothing of the run is left: no process started from its temp folder
    const workerPid = String(run.worker).split(':').at(-1);
    expect(await runProcesses(workerPid!)).toEqual([]);
  });
});
