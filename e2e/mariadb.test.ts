import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeName } from '../meltano/target-clickhouse/identifiers.js';
import { compareOrders, ordersTable, type Comparison } from './mariadb-compare.js';
import { MARIADB, mariadbSource, ORDER_COLUMNS } from './mariadb-source.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type StreamView = { stream: string; properties: Record<string, unknown>; key_properties: string[]; replication_keys: string[]; sync_modes: Array<{ sync_mode: string }>; default: { sync_mode: string; replication_key?: string } };
type Lossy = { column: string; reason: string; count: number; kept: boolean };
type RunView = { id: string; status: string; error?: string | null; rows_loaded?: number | null; reconciliation?: Array<{ stream: string; lossy?: Lossy[] }> | null };

const ORDINARY_ROWS = 1000;
const EDGE_ROWS = 8;

// MySQL and MariaDB through a PyPI tap (pipelinewise-tap-mysql), end to end: the machine's
// MariaDB, a database of the test's own with an awkward table, synced through the API by the
// real worker into ClickHouse, every row and column compared with the source; then rows are
// changed, added and deleted, and an incremental sync and a full refresh are compared again.
describe('MariaDB through tap-mysql', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof mariadbSource>>;
  let clickhouse: ClickHouseClient;
  let connectorId: string;

  const sync = async (pipelineId: string) => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return started.body.run_id;
  };
  const finished = async (runId: string) => {
    const run = (await waitForRun(stack, runId, 180_000)) as unknown as RunView;
    expect(run.status, String(run.error)).toBe('succeeded');
    return run;
  };
  const explain = (comparison: Comparison) => JSON.stringify(comparison.mismatches.slice(0, 12), null, 1);
  const outcome = (comparison: Comparison, column: string, kind: 'exact' | 'kept' | 'seconds' | 'collapsed') => comparison.outcomes.get(column)?.get(kind) ?? 0;
  /** Every value not loaded exactly (kept in rejects, or seconds only) is counted by the run, column by column. */
  const expectCountedAsLossy = (comparison: Comparison, run: RunView) => {
    const counted = new Map<string, number>();
    for (const entry of run.reconciliation ?? []) for (const l of entry.lossy ?? []) counted.set(l.column, (counted.get(l.column) ?? 0) + l.count);
    for (const [column, outcomes] of comparison.outcomes) {
      const notExact = (outcomes.get('kept') ?? 0) + (outcomes.get('seconds') ?? 0);
      const said = counted.get(column) ?? counted.get(safeName(column)) ?? 0;
      expect(said, `column "${column}": ${notExact} values not exact, run counted ${said}`).toBe(notExact);
    }
  };

  beforeAll(async () => {
    source = await mariadbSource({ ordinaryRows: ORDINARY_ROWS });
    stack = await startStack({ workers: 1, allowNetworks: [`${MARIADB.host}/32:${MARIADB.port}`] });
    clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'shop (MariaDB)', plugin: 'tap-mysql', config: source.config });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    connectorId = created.body.id;
  });
  afterAll(async () => {
    const slug = stack?.tenant.slug.replace(/-/g, '_');
    if (clickhouse && slug) {
      for (const name of ['over', 'dedup']) await clickhouse.command({ query: `DROP DATABASE IF EXISTS sluice_${slug}__${name}` }).catch(() => undefined);
      await clickhouse.close();
    }
    await source?.drop();
    await stack?.stop();
  });

  it('tests the connection and discovers the table, its key, its change column, and no column the tap cannot read', async () => {
    const tested = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/test`);
    const test = (await waitForRun(stack, tested.body.run_id)) as unknown as RunView;
    expect(test.status, String(test.error)).toBe('succeeded');
    const discovered = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    expect((await waitForRun(stack, discovered.body.run_id)).status).toBe('succeeded');
    const streams = await stack.api<{ data: StreamView[] }>('GET', `/connectors/${connectorId}/streams`);
    // filter_dbs: only the test's database.
    expect(streams.body.data.map((s) => s.stream)).toEqual([source.stream]);
    const stream = streams.body.data[0]!;
    expect(stream.key_properties).toEqual(['id']);
    expect(stream.replication_keys[0]).toBe('updated_at');
    expect(stream.default).toEqual({ sync_mode: 'incremental_deduped', replication_key: 'updated_at' });
    // BLOB, YEAR and SET are types pipelinewise-tap-mysql does not read: offered as unsupported, never loaded.
    const unsupported = ORDER_COLUMNS.filter((c) => c.kind === 'unsupported').map((c) => c.name);
    for (const name of unsupported) expect(stream.properties[name], name).toMatchObject({ inclusion: 'unsupported' });
    // A preview shows the first rows, read as a full table (this tap refuses a stream without a method).
    const preview = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/preview`, { stream: source.stream, limit: 3 });
    const previewed = (await waitForRun(stack, preview.body.run_id)) as unknown as RunView & { result?: { records?: Array<Record<string, unknown>> } };
    expect(previewed.status, String(previewed.error)).toBe('succeeded');
    expect(previewed.result?.records?.map((r) => [r.id, r.name])).toEqual([[1, 'Zoë 1 🚀 日本'], [2, 'Zoë 2 🚀 日本'], [3, 'Zoë 3 🚀 日本']]);
  });

  it('loads every row and column exactly or counts it, then follows changes incrementally and by full refresh', async () => {
    const create = async (name: string, body: Record<string, unknown>) => {
      const response = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', {
        name,
        source_connector_id: connectorId,
        destination_database: `sluice_${stack.tenant.slug.replace(/-/g, '_')}__${name}`,
        ...body,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    };
    const over = await create('over', { streams: [{ stream: source.stream, sync_mode: 'full_refresh_overwrite' }] });
    const dedup = await create('dedup', { streams: [{ stream: source.stream, sync_mode: 'incremental_deduped', replication_key: 'updated_at' }] });

    const [overRun, dedupRun] = await Promise.all([sync(over.id), sync(dedup.id)].map(async (id) => finished(await id)));
    expect(overRun!.rows_loaded).toBe(ORDINARY_ROWS + EDGE_ROWS);
    expect(dedupRun!.rows_loaded).toBe(ORDINARY_ROWS + EDGE_ROWS);
    for (const [pipeline, run] of [[over, overRun!], [dedup, dedupRun!]] as const) {
      const comparison = await compareOrders({ sourceDatabase: source.database, clickhouse, database: pipeline.destination.database, from: 'FINAL' });
      expect(comparison.rows).toBe(ORDINARY_ROWS + EDGE_ROWS);
      expect(comparison.mismatches, `${pipeline.destination.database}: ${explain(comparison)}`).toEqual([]);
      expectCountedAsLossy(comparison, run);
    }
    const first = await compareOrders({ sourceDatabase: source.database, clickhouse, database: over.destination.database, from: 'FINAL' });
    // What could not land exactly, value by value, and why (ClickHouse 18.16 here; newer servers keep more):
    const [server] = await (await clickhouse.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>();
    const old = server!.v.startsWith('18.');
    // BIT(8) arrives as true/false from this tap: 0 and 1 stay, any other value becomes true.
    const ordinaryBits = Array.from({ length: ORDINARY_ROWS }, (_, i) => (i + 1) % 256);
    expect(outcome(first, 'bits', 'collapsed')).toBe(ordinaryBits.filter((v) => v > 1).length + 1); // + the edge row's 255
    // DATE and DATETIME before 1970 or after 2105, and zero dates, do not fit 18.16's DateTime: kept aside.
    if (old) {
      expect(outcome(first, 'day', 'kept')).toBe(4); // 9999-12-31, 1000-01-01, 0000-00-00, 1969-12-31
      expect(outcome(first, 'at', 'kept')).toBe(4);
      expect(outcome(first, 'ts', 'kept')).toBe(1); // 0000-00-00 00:00:00
      // Microseconds in every ordinary DATETIME(6): whole seconds on 18.16, counted.
      expect(outcome(first, 'at', 'seconds')).toBeGreaterThanOrEqual(ORDINARY_ROWS);
    }
    // Everything else is exact: text with emoji and combining marks, NULL beside empty, DECIMAL(38,10)
    // at full width, BIGINT UNSIGNED to 18446744073709551615 (UInt64), doubles to their last digit, TIME beyond
    // a day (sent as Python's timedelta text).
    for (const column of ['select', 'name', 'body', 'code', 'doc', 'status', 'unit price', 'money', 'big', 'ubig', 'tiny', 'utiny', 'f', 'd', 'tod', 'flag', 'bit1', 'tag', 'updated_at']) {
      expect(outcome(first, column, 'exact'), column).toBe(ORDINARY_ROWS + EDGE_ROWS);
    }

    // Changes at the source, then second syncs.
    const deleted = await source.change();
    const [overAgain, dedupAgain] = await Promise.all([sync(over.id), sync(dedup.id)].map(async (id) => finished(await id)));
    // Incremental: only rows changed since the bookmark (>= it, so the bookmark's own row again), not the table.
    expect(dedupAgain!.rows_loaded).toBeGreaterThanOrEqual(5 + 3);
    expect(dedupAgain!.rows_loaded).toBeLessThanOrEqual(5 + 3 + 1);
    expect(overAgain!.rows_loaded).toBe(ORDINARY_ROWS + EDGE_ROWS + 3 - 2);
    const overAfter = await compareOrders({ sourceDatabase: source.database, clickhouse, database: over.destination.database, from: 'FINAL' });
    expect(overAfter.mismatches, explain(overAfter)).toEqual([]);
    const [{ n } = { n: '0' }] = await (await clickhouse.query({ query: `SELECT count() AS n FROM \`${over.destination.database}\`.\`${ordersTable(source.database)}\` FINAL`, format: 'JSONEachRow' })).json<{ n: string }>();
    expect(Number(n)).toBe(ORDINARY_ROWS + EDGE_ROWS + 3 - 2);
    // Incremental, deduplicated: one row per key, the source's; deleted rows stay (no change log here).
    const dedupAfter = await compareOrders({ sourceDatabase: source.database, clickhouse, database: dedup.destination.database, from: 'FINAL', deletedStay: deleted });
    expect(dedupAfter.mismatches, explain(dedupAfter)).toEqual([]);
  });
});
