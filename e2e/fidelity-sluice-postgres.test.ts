import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeName } from '../meltano/target-clickhouse/identifiers.js';
import { compareAccounts, type Comparison } from './fidelity-compare.js';
import { fidelitySource } from './fidelity-source.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type StreamView = { stream: string; key_properties: string[]; replication_keys: string[]; replication_methods: string[]; default: { sync_mode: string; replication_key?: string } };
type Lossy = { column: string; reason: string; count: number; kept: boolean };
type RunView = { id: string; status: string; error?: string | null; reconciliation?: Array<{ stream: string; lossy?: Lossy[] }> | null };

const ORDINARY_ROWS = 2000;

// The fidelity check of e2e/fidelity.test.ts, with our own PostgreSQL source
// (tap-sluice-postgres) in place of meltanolabs-tap-postgres: the same awkward table synced
// through the API by the real worker, every row and column compared with the source, then
// changes at the source followed incrementally. Our source sends values as they are (NaN,
// ±Infinity, infinity dates): the loader stores them or keeps and counts them.
describe('fidelity with tap-sluice-postgres: every value lands exactly, or the run says which and why', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof fidelitySource>>;
  let clickhouse: ClickHouseClient;
  let connectorId: string;

  const sync = async (pipelineId: string) => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status).toBe(202);
    const run = (await waitForRun(stack, started.body.run_id, 240_000)) as unknown as RunView;
    expect(run.status, String(run.error)).toBe('succeeded');
    return run;
  };
  const explain = (comparison: Comparison) => JSON.stringify(comparison.mismatches.slice(0, 12), null, 1);
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
    stack = await startStack({ workers: 1 });
    source = await fidelitySource({ ordinaryRows: ORDINARY_ROWS });
    clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'awkward source, our reader', plugin: 'tap-sluice-postgres', config: source.config });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    connectorId = created.body.id;
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    const discovered = await waitForRun(stack, discover.body.run_id);
    expect(discovered.status, JSON.stringify(discovered)).toBe('succeeded');
  });
  afterAll(async () => {
    const slug = stack?.tenant.slug.replace(/-/g, '_');
    if (clickhouse && slug) {
      for (const name of ['sover', 'sdedup']) await clickhouse.command({ query: `DROP DATABASE IF EXISTS sluice_${slug}__${name}` }).catch(() => undefined);
      await clickhouse.close();
    }
    await source?.drop();
    await stack?.stop();
  });

  it('offers the stream as meltanolabs-tap-postgres names it, with its key and replication keys', async () => {
    const streams = await stack.api<{ data: StreamView[] }>('GET', `/connectors/${connectorId}/streams`);
    const stream = streams.body.data.find((s) => s.stream === source.stream)!;
    expect(stream, streams.body.data.map((s) => s.stream).join(', ')).toBeDefined();
    expect(stream.key_properties).toEqual(['id']);
    expect(stream.replication_keys).toEqual(expect.arrayContaining(['updated_at', 'at_utc', 'day', 'id']));
    expect(stream.replication_methods).toEqual(expect.arrayContaining(['FULL_TABLE', 'INCREMENTAL']));
  });

  it('loads every row and column exactly or keeps and counts it, then follows changes incrementally', async () => {
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
    const over = await create('sover', { untyped_numbers: 'decimal', streams: [{ stream: source.stream, sync_mode: 'full_refresh_overwrite' }] });
    const dedup = await create('sdedup', { untyped_numbers: 'float', streams: [{ stream: source.stream, sync_mode: 'incremental_deduped', replication_key: 'updated_at' }] });
    const runs = await Promise.all([sync(over.id), sync(dedup.id)]);
    for (const [i, pipeline] of [over, dedup].entries()) {
      const comparison = await compareAccounts({ source: source.sql, clickhouse, database: pipeline.destination.database, from: 'FINAL', tap: 'sluice' });
      expect(comparison.mismatches, `${pipeline.destination.database}: ${explain(comparison)}`).toEqual([]);
      expectCountedAsLossy(comparison, runs[i]!);
    }
    const overFirst = await compareAccounts({ source: source.sql, clickhouse, database: over.destination.database, from: 'FINAL', tap: 'sluice' });
    expect(overFirst.rows).toBe(ORDINARY_ROWS + 7);
    // NaN and ±Infinity reach Sluice as they are: a Float64 column holds them (and every other double).
    const dedupFirst = await compareAccounts({ source: source.sql, clickhouse, database: dedup.destination.database, from: 'FINAL', tap: 'sluice' });
    expect([...dedupFirst.outcomes.get('f8')!]).toEqual([['exact', ORDINARY_ROWS + 7]]);
    expect(overFirst.outcomes.get('f8')?.get('tap-null') ?? 0).toBe(0);
    // Only JSON null arrives as SQL NULL (a Singer record cannot tell them apart).
    expect(overFirst.outcomes.get('doc')?.get('tap-null')).toBe(1);

    const deleted = await source.change(1);
    await Promise.all([sync(over.id), sync(dedup.id)]);
    const overAfter = await compareAccounts({ source: source.sql, clickhouse, database: over.destination.database, from: 'FINAL', tap: 'sluice' });
    expect(overAfter.mismatches, explain(overAfter)).toEqual([]);
    const deduped = await compareAccounts({ source: source.sql, clickhouse, database: dedup.destination.database, from: 'FINAL', deletedStay: deleted, tap: 'sluice' });
    expect(deduped.mismatches, explain(deduped)).toEqual([]);
  });
});
