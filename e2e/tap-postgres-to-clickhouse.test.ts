import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../db/migrate.js';
import { runSync } from '../jobs/sync.js';
import { parseLogLine } from '../meltano/log-lines.js';
import type { LineSource } from '../meltano/plugin-process.js';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { featuresOf } from '../meltano/target-clickhouse/column-types.js';
import type { Pipeline } from '../core/pipelines/service.js';
import { loadEnv } from '../core/env.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import { testEnv } from './test-env.js';

// A real tap (meltanolabs-tap-postgres from PyPI, installed by Meltano) piped into our
// target the way the worker runs them, compared row by row with the source table.
describe('tap-postgres | target-clickhouse', async () => {
  const definitions = await readPluginDefinitions();
  const spec = (name: string) => {
    const d = definitions.find((p) => p.name === name)!;
    return { ...d, pipUrl: d.pip_url };
  };
  const env = loadEnv(await testEnv());
  const table = `types_${randomBytes(4).toString('hex')}`;
  const database = `t_tap_${randomBytes(4).toString('hex')}`;
  const sourceUrl = Object.assign(new URL(sourceDatabaseUrl()), { pathname: '/sluice_test_source' }).toString();
  const source = postgres(sourceUrl, { max: 1, onnotice: () => {} });
  const clickhouse = createClient({ url: env.CLICKHOUSE_URL, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD });

  beforeAll(async () => {
    await ensureDatabase(sourceUrl);
    await source.unsafe(`create table ${table} (id int primary key, name text, price numeric(12,2), ratio double precision, big bigint,
      happened_at timestamptz, day date, doc jsonb, raw json, tags text[], nums int[], flag boolean, uid uuid)`);
    await source.unsafe(`insert into ${table} values
      (1, 'Zoë 🚀 日本', 12.34, 0.5, 9007199254740993, '2024-03-01T12:34:56.789+02:00', '2024-02-29', '{"a":{"b":[1,2]},"é":"x"}', '[1,"x"]', '{a,"b c"}', '{1,2,3}', true, '5f0c6f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f'),
      (2, null, null, null, null, null, null, null, null, null, null, null, null),
      (3, 'O''Brien "q" \\ back', -0.01, -1e10, -1, '1999-12-31T23:59:59Z', '1970-01-01', '[]', '{}', '{}', '{}', false, null)`);
  });

  afterAll(async () => {
    await source.unsafe(`drop table if exists ${table}`);
    await source.end();
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await clickhouse.close();
  });

  it('loads every row and value as the source has it', async () => {
    const lines: Array<[string, LineSource | undefined]> = [];
    const pipeline = { id: randomBytes(8).toString('hex'), destinationDatabase: database, streams: [{ stream: `public-${table}`, replication_method: 'FULL_TABLE' }] } as unknown as Pipeline;
    const url = new URL(sourceUrl);
    const result = await runSync({
      timeoutMs: 300_000,
      destination: { url: env.CLICKHOUSE_URL, user: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD },
      tap: spec('tap-postgres'),
      target: spec('target-clickhouse'),
      config: { host: url.hostname, port: Number(url.port || 5432), user: 'postgres', password: 'unused', database: 'sluice_test_source', filter_schemas: ['public'] },
      pipeline,
      onLine: (line, source) => void lines.push([line, source]),
    });
    expect(result.exitCode, lines.slice(-20).map(([l]) => l).join('\n')).toBe(0);
    const reconciliation = lines.map(([line, source]) => parseLogLine(line, source)).find((l) => l.message.includes('"metric":"reconciliation"'));
    expect(reconciliation?.message).toMatch(/"received":3,"inserted":3,"inTable":3,"distinctKeys":3,"ok":true/);

    // What ClickHouse keeps depends on its version, as in the loader: microseconds and true/false
    // from 21.12 on (DateTime64 from 20.1), whole seconds and 1/0 on older servers such as 18.16.
    const [server] = await (await clickhouse.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>();
    const features = featuresOf(server!.v);
    const timeFormat = features.dateTime64 ? 'YYYY-MM-DD HH24:MI:SS.US' : 'YYYY-MM-DD HH24:MI:SS';
    const expected = await source.unsafe(`select id::text as id, name, price::text as price, ratio, big::text as big,
      to_char(happened_at at time zone 'UTC', '${timeFormat}') as happened_at, (day - date '1970-01-01')::text as day, doc, raw, tags, nums, flag, uid::text as uid
      from ${table} order by id`);
    const result2 = await clickhouse.query({
      query: `SELECT toString(id) AS id, name, price, ratio, toString(big) AS big, toString(happened_at, 'UTC') AS happened_at, toString(toUInt16(day)) AS day,
        doc, raw, tags, nums, flag, uid FROM ${database}.\`public_${table}\` FINAL ORDER BY id`,
      format: 'JSONEachRow',
    });
    const loaded = (await result2.json<Record<string, unknown>>()).map((row) => ({
      ...row,
      price: row.price === null ? null : Number(row.price),
      doc: row.doc === null ? null : JSON.parse(row.doc as string),
      raw: row.raw === null ? null : JSON.parse(row.raw as string),
      tags: row.tags === null ? null : JSON.parse(row.tags as string),
      nums: row.nums === null ? null : JSON.parse(row.nums as string),
      // Dates compare as days since 1970: ClickHouse 18.16 prints 1970-01-01 as 0000-00-00.
    }));
    expect(loaded).toEqual(expected.map((row) => ({ ...row, price: row.price === null ? null : Number(row.price), flag: row.flag === null || features.bool ? row.flag : Number(row.flag) })));
  });
});
