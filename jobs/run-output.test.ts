import { describe, expect, it } from 'vitest';
import type { LogEvent, LogWriter } from '../core/runs/run-log.js';
import { createRunOutput, lossySentence } from './run-output.js';

/** A writer that keeps what the run would send to Redis. */
function collecting() {
  const events: LogEvent[] = [];
  const writer: LogWriter = { write: (e) => void events.push(e), flush: async () => {}, close: async () => 0 };
  return { events, writer };
}

const tap = { plugin: 'tap-postgres', role: 'tap' as const };
const target = { plugin: 'target-clickhouse', role: 'target' as const };

describe('createRunOutput', () => {
  it('sends progress per stream: records read by the tap, rows the target committed and its rate', () => {
    const { events, writer } = collecting();
    const output = createRunOutput(writer, (t) => t);
    output.onLine('2026-11-25 10:19:44,376 | INFO     | singer_sdk.metrics             | METRIC: {"type":"counter","metric":"record_count","value":50000,"tags":{"stream":"public-orders","pid":25996,"context":{}}}', tap);
    output.onLine('METRIC: {"type":"summary","metric":"load_progress","value":{"stream":"public-orders","rows":40000,"rows_per_second":13333.3},"tags":{"stream":"public-orders"}}', target);
    output.onLine('2026-11-25 10:19:47,376 | INFO     | singer_sdk.metrics             | METRIC: {"type":"counter","metric":"record_count","value":25000,"tags":{"stream":"public-orders","pid":25996,"context":{}}}', tap);
    const progress = events.filter((e) => e.type === 'progress').map(({ at: _at, ...rest }) => rest);
    expect(progress).toEqual([
      { type: 'progress', stream: 'public-orders', records: 50000 },
      { type: 'progress', stream: 'public-orders', records: 50000, rows_loaded: 40000, rows_per_second: 13333.3 },
      { type: 'progress', stream: 'public-orders', records: 75000, rows_loaded: 40000, rows_per_second: 13333.3 },
    ]);
    // the tap's METRIC lines stay in the log; the loader's progress lines become progress only
    expect(events.filter((e) => e.type === 'log')).toHaveLength(2);
  });

  it('counts the records the loader received for a stream the tap printed no count for (log-based reading)', () => {
    const { writer } = collecting();
    const output = createRunOutput(writer, (t) => t);
    output.onLine('METRIC: {"type":"counter","metric":"record_count","value":2,"tags":{"stream":"public-a"}}', tap);
    const reconciled = (stream: string, received: number) =>
      `METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value: { stream, table: stream, received, inserted: received, inTable: received, ok: true, lossy: [] }, tags: { stream } })}`;
    output.onLine(reconciled('public-a', 2), target);
    output.onLine(reconciled('public-b', 3), target);
    expect(output.recordCounts()).toEqual({ 'public-a': 2, 'public-b': 3 });
  });

  it('keeps the reconciliation with its lossy values and says each in one plain line', () => {
    const { events, writer } = collecting();
    const output = createRunOutput(writer, (t) => t);
    const value = {
      stream: 'public-events',
      table: 'public_events',
      received: 20,
      inserted: 20,
      inTable: 20,
      ok: true,
      lossy: [{ column: 'd', reason: 'date before 1970-01-01', count: 12, kept: true }, { column: 'at', reason: 'fraction of a second dropped', count: 1, kept: false }],
    };
    output.onLine(`METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value, tags: { stream: 'public-events' } })}`, target);
    expect(output.reconciliation).toEqual([value]);
    expect(events.filter((e) => e.type === 'log' && e.level === 'warning').map((e) => (e as { message: string }).message)).toEqual([
      '12 values could not be stored exactly (stream "public-events", column "d": date before 1970-01-01); their source values are in the table _sluice_rejects.',
      '1 value could not be stored exactly (stream "public-events", column "at": fraction of a second dropped); it was stored with that loss.',
    ]);
  });
});

describe('lossySentence', () => {
  it('names where the source values are when the loader names a table or a place', () => {
    expect(lossySentence('s', { column: 'c', reason: 'r', count: 2, kept: 'acme._sluice_rejects' })).toMatch(/their source values are in the table acme._sluice_rejects\.$/);
    expect(lossySentence('s', { column: 'c', reason: 'r', count: 1, kept: 'the column c__text' })).toMatch(/its source value is in the column c__text\.$/);
  });
});
