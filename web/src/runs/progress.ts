/** Per-stream progress, worked out from the log's progress events (pure: tested without a browser). */
import type { LogEntry } from './types.js';

export type StreamProgressRow = {
  stream: string;
  /** Records read from the source so far. */
  records: number;
  /** Rows committed to the warehouse so far, once the loader has reported any. */
  rowsLoaded: number | undefined;
  /** The loader's recent rate. */
  rowsPerSecond: number | undefined;
  /** Recent rates, oldest first, for the sparkline. */
  rates: number[];
  at: string;
};

/** Enough points for a sparkline to show a trend; older ones only cost memory. */
export const MAX_RATE_POINTS = 40;

/** The latest progress of each stream, in the order the streams first appeared. */
export function progressByStream(entries: readonly LogEntry[]): StreamProgressRow[] {
  const rows = new Map<string, StreamProgressRow>();
  for (const { event } of entries) {
    if (event.type !== 'progress') continue;
    const row = rows.get(event.stream);
    // Each event carries running totals, so the newest one (entries are in log order) is the truth.
    const rates = row?.rates ?? [];
    if (event.rows_per_second !== undefined) {
      rates.push(event.rows_per_second);
      if (rates.length > MAX_RATE_POINTS) rates.shift();
    }
    rows.set(event.stream, {
      stream: event.stream,
      records: event.records,
      rowsLoaded: event.rows_loaded ?? row?.rowsLoaded,
      rowsPerSecond: event.rows_per_second ?? row?.rowsPerSecond,
      rates,
      at: event.at,
    });
  }
  return [...rows.values()];
}

/** Rows loaded so far over all streams, or undefined when the loader has reported none yet. */
export function totalRowsLoaded(rows: readonly StreamProgressRow[]): number | undefined {
  const loaded = rows.filter((r) => r.rowsLoaded !== undefined);
  return loaded.length === 0 ? undefined : loaded.reduce((sum, r) => sum + (r.rowsLoaded ?? 0), 0);
}

/**
 * Rows read per stream from the run view's final counts: for a finished run whose log carried no
 * progress (an older run, a source that reports counts only at the end).
 */
export function progressFromCounts(counts: Readonly<Record<string, number>>, at: string): StreamProgressRow[] {
  return Object.entries(counts).map(([stream, records]) => ({ stream, records, rowsLoaded: undefined, rowsPerSecond: undefined, rates: [], at }));
}
