import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelectedStream } from '../db/schema/index.js';
import { ensureDatabase } from '../db/migrate.js';
import type { LineSource } from '../meltano/plugin-process.js';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { loadEnv } from '../core/env.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import { testEnv } from '../e2e/test-env.js';
import { runSync } from './sync.js';

// Real tap-postgres (installed by Meltano) piped into our target, as the worker runs them:
// what the sync checks against the catalog it discovers, and the state it hands the tap.
describe('runSync with tap-postgres', async () => {
  const definitions = await readPluginDefinitions();
  const spec = (name: string) => {
    const d = definitions.find((p) => p.name === name)!;
    return { ...d, pipUrl: d.pip_url };
  };
  const env = loadEnv(await testEnv());
  const suffix = randomBytes(4).toString('hex');
  const orders = `orders_${suffix}`;
  const notes = `notes_${suffix}`;
  const database = `t_sync_${suffix}`;
  const sourceName = `${new URL(env.DATABASE_URL).pathname.slice(1)}_source`;
  const sourceUrl = Object.assign(new URL(sourceDatabaseUrl()), { pathname: `/${sourceName}` }).toString();
  const source = postgres(sourceUrl, { max: 1, onnotice: () => {} });
  const clickhouse = createClient({ url: env.CLICKHOUSE_URL, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD });

  beforeAll(async () => {
    await ensureDatabase(sourceUrl);
    await source.unsafe(`create table ${orders} (id int primary key, updated_at timestamptz not null, note text)`);
    await source.unsafe(`insert into ${orders} select i, timestamptz '2024-01-01' + i * interval '1 minute', 'row ' || i from generate_series(1, 5) i`);
    await source.unsafe(`create table ${notes} (id int primary key, body text)`);
    await source.unsafe(`insert into ${notes} select i, 'note ' || i from generate_series(1, 4) i`);
  });
  afterAll(async () => {
    await source.unsafe(`drop table if exists ${orders}`);
    await source.unsafe(`drop table if exists ${notes}`);
    await source.end();
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await clickhouse.close();
  });

  const sync = async (streams: SelectedStream[], state?: Record<string, unknown>) => {
    const lines: Array<[string, LineSource | undefined]> = [];
    const states: Array<Record<string, unknown>> = [];
    const url = new URL(sourceUrl);
    const result = await runSync({
      timeoutMs: 300_000,
      destination: { url: env.CLICKHOUSE_URL, user: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD },
      tap: spec('tap-postgres'),
      target: spec('target-clickhouse'),
      config: { host: url.hostname, port: Number(url.port || 5432), user: 'postgres', password: 'unused', database: sourceName, filter_schemas: ['public'] },
      pipeline: { id: suffix, destinationDatabase: database, streams, untypedNumbers: 'float' },
      state,
      onState: (s) => void states.push(s),
      onLine: (line, from) => void lines.push([line, from]),
    });
    const log = lines.map(([l]) => l).join('\n');
    return { result, states, lines, log, last: states.at(-1) as { bookmarks?: Record<string, unknown> } | undefined };
  };
  const incremental: SelectedStream = { stream: `public-${orders}`, sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' };
  const fullRefresh: SelectedStream = { stream: `public-${notes}`, sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' };

  it('starts full-refresh streams without their bookmarks; incremental streams resume from theirs', async () => {
    const first = await sync([incremental, fullRefresh]);
    expect(first.result.exitCode, first.log.slice(-3000)).toBe(0);
    expect(first.last?.bookmarks?.[incremental.stream]).toMatchObject({ replication_key: 'updated_at' });
    // A bookmark left from when notes was incremental (or edited in by hand) must not survive a full refresh.
    const stale = { ...first.last, bookmarks: { ...first.last!.bookmarks, [fullRefresh.stream]: { replication_key: 'id', replication_key_value: 3 } } };
    const second = await sync([incremental, fullRefresh], stale);
    expect(second.result.exitCode, second.log.slice(-3000)).toBe(0);
    expect(second.last?.bookmarks?.[fullRefresh.stream] ?? {}).not.toHaveProperty('replication_key_value');
    expect(second.last?.bookmarks?.[incremental.stream]).toMatchObject({ replication_key: 'updated_at', replication_key_value: expect.stringMatching(/^2024-01-01T00:05:00/) });
    // orders resumed from its bookmark (the SDK re-reads the bookmarked row itself); notes was read whole
    expect(second.log).toMatch(new RegExp(`"record_count","value":1,"tags":\\{"stream":"public-${orders}"`));
    expect(second.log).toMatch(new RegExp(`"record_count","value":4,"tags":\\{"stream":"public-${notes}"`));
  });

  it('refuses to start, naming the stream and the column, when the replication key column was dropped after the pipeline was saved', async () => {
    await source.unsafe(`alter table ${orders} drop column updated_at`);
    const run = await sync([incremental, fullRefresh]);
    const message = `Stream "public-${orders}": its replication key column "updated_at" no longer exists in the source. Choose another key or a full-refresh mode for this stream.`;
    expect(run.result).toMatchObject({ exitCode: 1, refused: message });
    expect(run.lines.find(([line]) => line.includes('no longer exists'))).toEqual([`ERROR ${message}`, undefined]);
    // nothing was read or loaded
    expect(run.lines.some(([, from]) => from?.role === 'target')).toBe(false);
    expect(run.states).toEqual([]);
  });
});
