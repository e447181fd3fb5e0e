import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../db/migrate.js';
import { readSse, startStack, waitForRun, type Stack } from './stack.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';

// The whole path through real Postgres, Redis, Meltano (tap-postgres from PyPI) and
// ClickHouse, driven only through the HTTP API.
describe('thin path: Postgres table → API → BullMQ worker → tap | target → ClickHouse', () => {
  let stack: Stack;
  let sourceUrl: string;
  const table = `thin_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    stack = await startStack();
    // Sources live on their own PostgreSQL: connectors may not reach the platform's.
    const url = new URL(sourceDatabaseUrl());
    url.pathname = '/sluice_test_source';
    sourceUrl = url.toString();
    await ensureDatabase(sourceUrl);
    const sql = postgres(sourceUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`create table ${table} (id int primary key, name text, amount numeric(12,2), happened_at timestamptz, active boolean)`);
    await sql.unsafe(`insert into ${table} values
      (1, 'Zoë 🚀', 12.34, '2024-03-01T12:34:56+02:00', true),
      (2, null, null, null, null),
      (3, 'O''Brien; DROP TABLE x', -0.5, '1999-12-31T23:59:59Z', false)`);
    await sql.end();
  });

  afterAll(async () => {
    const sql = postgres(sourceUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`drop table if exists ${table}`);
    await sql.end();
    await stack?.stop();
  });

  it('lands the table rows in ClickHouse and streams the run log over SSE', async () => {
    const source = new URL(sourceUrl);
    const connector = await stack.api<{ id: string; config: Record<string, unknown> }>('POST', '/connectors', {
      name: 'test source',
      plugin: 'tap-postgres',
      config: { host: source.hostname, port: Number(source.port || 5432), user: 'postgres', password, database: 'sluice_test_source', filter_schemas: ['public'] },
    });
    expect(connector.status).toBe(201);
    expect(connector.body.config.password).toBe('********');

    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', {
      name: 'thin path',
      source_connector_id: connector.body.id,
      streams: [{ stream: `public-${table}` }],
    });
    expect(pipeline.status).toBe(201);

    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`);
    expect(started.status).toBe(202);
    const runId = started.body.run_id;

    const run = await waitForRun(stack, runId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.record_counts).toEqual({ [`public-${table}`]: 3 });
    expect(run.rows_loaded).toBe(3);
    expect(run.reconciliation).toEqual([{ stream: `public-${table}`, table: `public_${table}`, received: 3, inserted: 3, inTable: 3, distinctKeys: 3, ok: true, lossy: [] }]);

    const clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    const result = await clickhouse.query({
      query: `SELECT id, name, amount, toString(happened_at) AS happened_at, active FROM \`${pipeline.body.destination.database}\`.\`public_${table}\` FINAL ORDER BY id`,
      format: 'JSONEachRow',
    });
    const rows = await result.json();
    await clickhouse.close();
    expect(rows).toEqual([
      { id: '1', name: 'Zoë 🚀', amount: 12.34, happened_at: '2024-03-01 10:34:56', active: 1 },
      { id: '2', name: null, amount: null, happened_at: null, active: null },
      { id: '3', name: "O'Brien; DROP TABLE x", amount: -0.5, happened_at: '1999-12-31 23:59:59', active: 0 },
    ]);

    // Sluice kept the pipeline's state in its own table, one row for the run.
    const sql = postgres(stack.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    const states = await sql`select run_id, source, pending, state from pipeline_states where pipeline_id = ${pipeline.body.id}`;
    await sql.end();
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ run_id: runId, source: 'sync', pending: false, state: { bookmarks: { [`public-${table}`]: {} } } });

    // The log replays in full after the run, ends with the final status, and never shows the password.
    const log = await readSse(`${stack.baseUrl}/api/v1/runs/${runId}/logs`, stack.token);
    expect(log.contentType).toMatch(/^text\/event-stream/);
    const messages = log.events.filter((e) => e.event === 'log').map((e) => (JSON.parse(e.data) as { message: string }).message);
    expect(messages.some((m) => m.includes('Sync completed'))).toBe(true);
    expect(log.events.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(log.events.at(-1)!.data)).toMatchObject({ status: 'succeeded' });
    expect(log.events.map((e) => e.data).join('\n')).not.toContain(password);

    // Resuming from an event id replays only what came after it.
    const middle = log.events[Math.floor(log.events.length / 2)]!;
    const resumed = await readSse(`${stack.baseUrl}/api/v1/runs/${runId}/logs`, stack.token, { 'last-event-id': middle.id! });
    expect(resumed.events).toEqual(log.events.slice(log.events.indexOf(middle) + 1));
  });
});
