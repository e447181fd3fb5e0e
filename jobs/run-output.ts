import type { LogWriter } from '../core/runs/run-log.js';
import { parseLogLine, type LoadProgress, type LossyValues, type Reconciliation } from '../meltano/log-lines.js';
import type { LineSource } from '../meltano/plugin-process.js';

/**
 * Collects what the plugin processes print for one run: every line goes to the run's log
 * (scrubbed), record counts (tap) and rows loaded (target) are sent per stream as progress,
 * values the loader could not store exactly are said in one plain line each, and the last
 * lines are kept to explain a failure.
 */
export function createRunOutput(writer: LogWriter, scrub: (text: string) => string) {
  const recordCounts: Record<string, number> = {};
  const loadedCounts: Record<string, number> = {};
  const loading: Record<string, LoadProgress> = {};
  const tail: string[] = [];
  const reconciliation: Reconciliation[] = [];
  const progress = (stream: string, at: string) => {
    const loaded = loading[stream];
    writer.write({ type: 'progress', stream, records: recordCounts[stream] ?? 0, ...(loaded ? { rows_loaded: loaded.rows, rows_per_second: loaded.rowsPerSecond } : {}), at });
  };
  return {
    /** `source`: the plugin that printed the line; none for Sluice's own lines. */
    onLine(raw: string, source?: LineSource) {
      const entry = parseLogLine(scrub(raw), source);
      const at = new Date().toISOString();
      if (entry.loadProgress) {
        // Every few seconds per stream while loading: a progress entry, not a log line (the log stays readable).
        loading[entry.loadProgress.stream] = entry.loadProgress;
        return progress(entry.loadProgress.stream, at);
      }
      writer.write({ type: 'log', level: entry.level, message: entry.message, ...(entry.plugin ? { plugin: entry.plugin } : {}), at, ...(entry.sourceAt ? { source_at: entry.sourceAt } : {}) });
      tail.push(entry.message);
      if (tail.length > 200) tail.shift();
      if (entry.metric?.role === 'tap') {
        recordCounts[entry.metric.stream] = (recordCounts[entry.metric.stream] ?? 0) + entry.metric.records;
        progress(entry.metric.stream, at);
      } else if (entry.metric?.role === 'target') {
        loadedCounts[entry.metric.stream] = (loadedCounts[entry.metric.stream] ?? 0) + entry.metric.records;
      }
      if (entry.reconciliation) {
        reconciliation.push(entry.reconciliation);
        for (const lossy of entry.reconciliation.lossy ?? []) {
          if (lossy.count > 0) writer.write({ type: 'log', level: 'warning', message: lossySentence(entry.reconciliation.stream, lossy), at });
        }
      }
    },
    /** Records read per stream: the tap's own counts, or what the loader received where the tap counted none (tap-postgres's log-based reading counts nothing). */
    recordCounts: () => {
      const counts = { ...recordCounts };
      for (const entry of reconciliation) if (!counts[entry.stream] && entry.received > 0) counts[entry.stream] = entry.received;
      return counts;
    },
    reconciliation,
    rowsLoaded: () => Object.values(loadedCounts).reduce((a, b) => a + b, 0),
    tail: () => tail.flatMap((line) => line.split('\n')),
  };
}

/**
 * One plain sentence for values the loader could not store exactly.
 *
 * @example
 * lossySentence('public-events', { column: 'd', reason: 'date before 1970-01-01', count: 12, kept: '_sluice_rejects' })
 * // '12 values could not be stored exactly (stream "public-events", column "d": date before 1970-01-01); their source values are in the table _sluice_rejects.'
 */
export function lossySentence(stream: string, lossy: LossyValues): string {
  const what = `${lossy.count} ${lossy.count === 1 ? 'value' : 'values'} could not be stored exactly (stream "${stream}", column "${lossy.column}": ${lossy.reason})`;
  const one = lossy.count === 1;
  // kept false: only counted, the value stored with that loss (a fraction of a second dropped on an old ClickHouse).
  if (lossy.kept === undefined || lossy.kept === false) return `${what}; ${one ? 'it was' : 'they were'} stored with that loss.`;
  const where = lossy.kept === true ? 'the table _sluice_rejects' : /^[\w.]+$/.test(lossy.kept) ? `the table ${lossy.kept}` : lossy.kept;
  return `${what}; ${one ? 'its source value is' : 'their source values are'} in ${where}.`;
}
