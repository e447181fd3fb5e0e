import { describe, expect, it } from 'vitest';
import { MAX_RATE_POINTS, progressByStream, totalRowsLoaded } from './progress.js';
import type { LogEntry } from './types.js';

const at = '2024-05-01T10:00:00.000Z';
const progress = (id: string, stream: string, records: number, loaded?: { rows: number; rate: number }): LogEntry => ({
  id,
  event: { type: 'progress', stream, records, ...(loaded ? { rows_loaded: loaded.rows, rows_per_second: loaded.rate } : {}), at },
});

describe('progressByStream', () => {
  it('keeps the newest totals per stream, in the order streams appeared, ignoring log lines', () => {
    const rows = progressByStream([
      progress('1-0', 'orders', 100),
      { id: '1-1', event: { type: 'log', level: 'info', message: 'hello', at } },
      progress('2-0', 'customers', 5),
      progress('3-0', 'orders', 250, { rows: 200, rate: 40 }),
      // a read-only update after the loader reported: the loaded count stays
      progress('4-0', 'orders', 300),
    ]);
    expect(rows.map((r) => [r.stream, r.records, r.rowsLoaded, r.rowsPerSecond])).toEqual([
      ['orders', 300, 200, 40],
      ['customers', 5, undefined, undefined],
    ]);
    expect(totalRowsLoaded(rows)).toBe(200);
    expect(totalRowsLoaded(rows.slice(1))).toBeUndefined();
  });

  it('keeps only the recent rates for the sparkline', () => {
    const entries = Array.from({ length: MAX_RATE_POINTS + 5 }, (_, i) => progress(`${i}-0`, 's', i, { rows: i, rate: i }));
    const [row] = progressByStream(entries);
    expect(row!.rates).toHaveLength(MAX_RATE_POINTS);
    expect(row!.rates.at(-1)).toBe(MAX_RATE_POINTS + 4);
  });
});
