import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresOf } from '../meltano/target-clickhouse/column-types.js';
import { safeName } from '../meltano/target-clickhouse/identifiers.js';
import { accountsTable, compareAccounts, type Comparison } from './fidelity-compare.js';
import { fidelitySource } from './fidelity-source.js';
import { readSse, startStack, waitForRun, type Stack } from './stack.js';

type StreamView = {
  stream: string;
  key_properties: string[];
  replication_keys: string[];
  replication_methods: string[];
  sync_modes: Array<{ sync_mode: string; label: string; description: string }>;
  default: { sync_mode: string; replication_key?: string };
};
type Lossy = { column: string; reason: string; count: number; kept: boolean };
type RunView = { id: string; status: string; error?: string | null; reconciliation?: Array<{ stream: string; lossy?: Lossy[] }> | null; lossy_values?: number };

const ORDINARY_ROWS = 2000;

// A data engineer's check, automated: an awkward but ordinary PostgreSQL database synced
// through the API by the real worker (meltanolabs-tap-postgres → our target), every row
// and column compared with the source; then rows are updated, inserted and deleted at the
// source and each sync mode is compared again.
describe('fidelity: every value lands exactly, or the run says which and why', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof fidelitySource>>;
  let clickhouse: ClickHouseClient;
  let connectorId: string;
  let stream: StreamView;

  const sync = async (pipelineId: string) => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status).toBe(202);
    return started.body.run_id;
  };
  const finished = async (runId: string) => {
    const run = (await waitForRun(stack, runId, 240_000)) as unknown as RunView;
    expect(run.status, String(run.error)).toBe('succeeded');
    return run;
  };
  const explain = (comparison: Comparison) => JSON.stringify(comparison.mismatches.slice(0, 12), null, 1);
  const lossyByColumn = (run: RunView) => {
    const counts = new Map<string, number>();
    for (const entry of run.reconciliation ?? []) for (const l of entry.lossy ?? []) counts.set(l.column, (counts.get(l.column) ?? 0) + l.count);
    return counts;
  };
  /** Every value not loaded exactly (kept in rejects, or seconds only) is counted by the run, column by column. */
  const expectCountedAsLossy = (comparison: Comparison, run: RunView) => {
    const counted = lossyByColumn(run);
    for (const [column, outcomes] of comparison.outcomes) {
      const notExact = (outcomes.get('kept') ?? 0) + (outcomes.get('seconds') ?? 0);
      const said = counted.get(column) ?? counted.get(safeName(column)) ?? 0;
      expect(said, `column "${column}": ${notExact} values not exact, run counted ${said}`).toBe(notExact);
    }
  };
  const maxSequence = async (database: string) => {
    const [row] = await (await clickhouse.query({ query: `SELECT toString(max(_sdc_sequence)) AS s FROM \`${database}\`.\`${accountsTable()}\``, format: 'JSONEachRow' })).json<{ s: string }>();
    return row!.s;
  };
  const countRows = async (database: string) => {
    const [row] = await (await clickhouse.query({ query: `SELECT count() AS n FROM \`${database}\`.\`${accountsTable()}\``, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(row!.n);
  };

  beforeAll(async () => {
    stack = await startStack({ workers: 1 });
    source = await fidelitySource({ ordinaryRows: ORDINARY_ROWS });
    clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    connectorId = (await stack.api<{ id: string }>('POST', '/connectors', { name: 'awkward source', plugin: 'tap-postgres', config: source.config })).body.id;
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
  });
  afterAll(async () => {
    const slug = stack?.tenant.slug.replace(/-/g, '_');
    if (clickhouse && slug) {
      for (const name of ['over', 'fappend', 'iappend', 'dedup']) await clickhouse.command({ query: `DROP DATABASE IF EXISTS sluice_${slug}__${name}` }).catch(() => undefined);
      await clickhouse.close();
    }
    await source?.drop();
    await stack?.stop();
  });

  it('offers each stream its sync modes, candidate keys and a default, and refuses streams and keys discovery did not find', async () => {
    const streams = await stack.api<{ data: StreamView[] }>('GET', `/connectors/${connectorId}/streams`);
    stream = streams.body.data.find((s) => s.stream === source.stream)!;
    expect(stream, streams.body.data.map((s) => s.stream).join(', ')).toBeDefined();
    expect(stream.key_properties).toEqual(['id']);
    expect(stream.replication_keys[0]).toBe('updated_at');
    expect(stream.replication_keys).toEqual(expect.arrayContaining(['at_utc', 'day', 'id']));
    expect(stream.replication_keys).not.toContain('select');
    expect(stream.replication_methods).toEqual(expect.arrayContaining(['FULL_TABLE', 'INCREMENTAL']));
    expect(stream.sync_modes.map((m) => m.sync_mode)).toEqual(['full_refresh_overwrite', 'full_refresh_append', 'incremental_append', 'incremental_deduped']);
    for (const mode of stream.sync_modes) expect(mode.description).not.toMatch(/singer|tap|target|meltano/i);
    expect(stream.default).toEqual({ sync_mode: 'incremental_deduped', replication_key: 'updated_at' });

    const refused = async (streams: unknown[]) => {
      const response = await stack.api<{ error: { fields: Record<string, string[]> } }>('POST', '/pipelines', { name: `refused ${Math.random()}`, source_connector_id: connectorId, streams });
      expect(response.status).toBe(400);
      return response.body.error.fields;
    };
    expect(Object.keys(await refused([{ stream: 'public-Customer Account', sync_mode: 'full_refresh_overwrite' }]))).toEqual(['streams.0.stream']);
    expect(Object.keys(await refused([{ stream: source.stream, sync_mode: 'incremental_deduped', replication_key: 'updated' }]))).toEqual(['streams.0.replication_key']);
    expect(Object.keys(await refused([{ stream: source.stream, sync_mode: 'incremental_deduped', replication_key: 'select' }]))).toEqual(['streams.0.replication_key']);
    expect(Object.keys(await refused([{ stream: source.stream, sync_mode: 'sometimes' }]))).toEqual(['streams.0.sync_mode']);
  });

  it('loads every row and column exactly or keeps and counts it, then follows updates, inserts and deletes in each sync mode', async () => {
    const create = async (name: string, body: Record<string, unknown>) => {
      const response = await stack.api<{ id: string; destination: { database: string }; untyped_numbers: string }>('POST', '/pipelines', {
        name,
        source_connector_id: connectorId,
        destination_database: `sluice_${stack.tenant.slug.replace(/-/g, '_')}__${name}`,
        ...body,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    };
    const incremental = { replication_key: 'updated_at' };
    const over = await create('over', { untyped_numbers: 'decimal', streams: [{ stream: source.stream, sync_mode: 'full_refresh_overwrite' }] });
    const fappend = await create('fappend', { untyped_numbers: 'float', streams: [{ stream: source.stream, sync_mode: 'full_refresh_append' }] });
    const iappend = await create('iappend', { streams: [{ stream: source.stream, sync_mode: 'incremental_append', ...incremental }] });
    const dedup = await create('dedup', { untyped_numbers: 'decimal', streams: [{ stream: source.stream, sync_mode: 'incremental_deduped', ...incremental }] });
    expect([over.untyped_numbers, fappend.untyped_numbers, iappend.untyped_numbers]).toEqual(['decimal', 'float', 'float']);
    const all = [over, fappend, iappend, dedup];

    // First syncs: every row, every column.
    const firstRuns = await Promise.all((await Promise.all(all.map((p) => sync(p.id)))).map(finished));
    const first = new Map<string, string>();
    for (const [i, pipeline] of all.entries()) {
      const database = pipeline.destination.database;
      const comparison = await compareAccounts({ source: source.sql, clickhouse, database, from: i === 0 || i === 3 ? 'FINAL' : '' });
      expect(comparison.mismatches, `${database}: ${explain(comparison)}`).toEqual([]);
      expectCountedAsLossy(comparison, firstRuns[i]!);
      first.set(pipeline.id, await maxSequence(database));
      // Ordinary rows hold ordinary values: they all land exactly (only edge rows may be kept).
      for (const [column, outcomes] of comparison.outcomes) {
        if (column === 'f4' || column === 'f8' || column === 'amount' || column.startsWith('at_') || column === 'updated_at') continue;
        expect(outcomes.get('kept') ?? 0, `column ${column} in ${database}`).toBeLessThanOrEqual(7);
      }
    }
    // What each edge value became, per server version: exact where the column can hold it, else kept.
    const [server] = await (await clickhouse.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>();
    const features = featuresOf(server!.v);
    const overFirst = await compareAccounts({ source: source.sql, clickhouse, database: over.destination.database, from: 'FINAL' });
    const outcome = (column: string, kind: 'exact' | 'kept' | 'seconds' | 'tap-null') => overFirst.outcomes.get(column)?.get(kind) ?? 0;
    // Dates 1900-01-01, 1969-12-31, 2200-01-01 and infinity (sent as 9999-12-31): 18.16's Date holds none of them.
    expect(outcome('day', 'kept')).toBe(features.wideDates ? 1 : features.date32 ? 2 : 4);
    // A JSON string keeps its quotes and 42 stays a number: exact; only JSON null arrives as SQL NULL (the tap's doing).
    expect([outcome('doc', 'kept'), outcome('doc', 'tap-null'), outcome('raw', 'tap-null')]).toEqual([0, 1, 1]);
    // Milliseconds in almost every ordinary row: whole seconds before DateTime64, counted.
    if (!features.dateTime64) expect(outcome('at_local', 'seconds')).toBeGreaterThan(ORDINARY_ROWS / 2);
    // NaN and ±Infinity never reach Sluice: Singer SDK taps send null for them.
    expect(outcome('f8', 'tap-null')).toBe(2);
    // The decimal choice keeps numeric(38,10) exact, and counts the floats' digits beyond its 10 places.
    expect(outcome('amount', 'kept')).toBe(0);
    expect(outcome('f8', 'kept')).toBeGreaterThan(ORDINARY_ROWS / 2);
    // The run told its watchers how many rows were loaded, per stream, as it went.
    const live = await readSse(`${stack.baseUrl}/api/v1/runs/${firstRuns[0]!.id}/logs`, stack.token);
    const progress = live.events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data) as { stream: string; rows_loaded?: number; rows_per_second?: number });
    expect(progress.at(-1)).toMatchObject({ stream: source.stream, rows_loaded: ORDINARY_ROWS + 7 });
    expect(progress.at(-1)!.rows_per_second).toBeGreaterThan(0);
    // The float choice counts what Float64 cannot hold.
    expect(lossyByColumn(firstRuns[1]!).get('amount') ?? lossyByColumn(firstRuns[1]!).get(safeName('amount'))).toBeGreaterThan(0);
    expect(firstRuns[1]!.lossy_values).toBeGreaterThan(0);

    // Changes at the source, then second syncs.
    const deleted = await source.change(1);
    expect(deleted.sort((a, b) => a - b)).toEqual([4, 1003]);
    await Promise.all((await Promise.all(all.map((p) => sync(p.id)))).map(finished));
    const [sourceCount] = await source.sql.unsafe<Array<{ n: number }>>(`select count(*)::int as n from "Customer Accounts"`);

    // Full refresh – overwrite: exactly the source, deleted rows gone.
    const overAfter = await compareAccounts({ source: source.sql, clickhouse, database: over.destination.database, from: 'FINAL' });
    expect(overAfter.mismatches, explain(overAfter)).toEqual([]);
    expect(await countRows(over.destination.database)).toBe(sourceCount!.n);

    // Full refresh – append: the second sync's rows are a whole copy of the source; the first copy stays.
    const snapshot = await compareAccounts({ source: source.sql, clickhouse, database: fappend.destination.database, from: `WHERE _sdc_sequence > ${first.get(fappend.id)}` });
    expect(snapshot.mismatches, explain(snapshot)).toEqual([]);
    expect(await countRows(fappend.destination.database)).toBe(ORDINARY_ROWS + 7 + sourceCount!.n);

    // Incremental – append: changed and new rows appended; the newest version of each row is the source's; deleted rows stay.
    const newest = await compareAccounts({ source: source.sql, clickhouse, database: iappend.destination.database, from: 'ORDER BY _sdc_sequence DESC LIMIT 1 BY id', deletedStay: deleted });
    expect(newest.mismatches, explain(newest)).toEqual([]);
    const appended = (await countRows(iappend.destination.database)) - (ORDINARY_ROWS + 7);
    expect(appended).toBeGreaterThanOrEqual(3 + 5);
    expect(appended).toBeLessThanOrEqual(3 + 5 + 1); // the bookmark's own row may be read again

    // Incremental – deduped: one row per key, the source's; deleted rows stay (only log-based replication sees deletes).
    const deduped = await compareAccounts({ source: source.sql, clickhouse, database: dedup.destination.database, from: 'FINAL', deletedStay: deleted });
    expect(deduped.mismatches, explain(deduped)).toEqual([]);
  });
});
