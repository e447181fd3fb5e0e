/**
 * Live progress for the worker (which parses these lines; keep the format): every
 * `intervalMs` while loading, and at the end of each stream, one line on stderr per stream
 * that committed rows since its last line:
 *
 *   METRIC: {"type":"summary","metric":"load_progress","value":{"stream":"orders","rows":120000,"rows_per_second":40123.4},"tags":{"stream":"orders"}}
 *
 * `rows` counts rows ClickHouse acknowledged in this run so far, not rows received;
 * `rows_per_second` is the rate since the stream's previous line (1 decimal).
 */
export function progressLine(stream: string, rows: number, rowsPerSecond: number): string {
  const value = { stream, rows, rows_per_second: Math.round(rowsPerSecond * 10) / 10 };
  return `METRIC: ${JSON.stringify({ type: 'summary', metric: 'load_progress', value, tags: { stream } })}`;
}

type Committed = () => Iterable<{ name: string; inserted: number }>;

/**
 * Starts the progress timer (unref'd: it never keeps the process alive). `committed` is read
 * at each tick, so the loader needs no call per insert.
 *
 * @example
 * const progress = startProgress(3000, log, () => streams.values());
 * progress.started('orders'); // at the stream's SCHEMA: its first rate counts from here
 * progress.report(); // at the end of a stream or of the input
 * progress.stop();
 */
export function startProgress(intervalMs: number, log: (line: string) => void, committed: Committed) {
  const last = new Map<string, { rows: number; at: number }>();
  function report(only?: string) {
    if (intervalMs === 0) return;
    const now = Date.now();
    for (const { name, inserted } of committed()) {
      if (only !== undefined && name !== only) continue;
      const previous = last.get(name) ?? { rows: 0, at: now };
      if (inserted === previous.rows) continue;
      const seconds = Math.max(now - previous.at, 1) / 1000;
      log(progressLine(name, inserted, (inserted - previous.rows) / seconds));
      last.set(name, { rows: inserted, at: now });
    }
  }
  const timer = intervalMs > 0 ? setInterval(() => report(), intervalMs) : undefined;
  timer?.unref();
  return {
    /** The stream's first rate is measured from now. */
    started(name: string) {
      if (!last.has(name)) last.set(name, { rows: 0, at: Date.now() });
    },
    /** Lines for streams (or one stream) with rows committed since their last line. */
    report,
    stop: () => clearInterval(timer),
  };
}
