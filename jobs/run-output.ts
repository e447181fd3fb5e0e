import type { LogWriter } from '../core/runs/run-log.js';
import { parseLogLine, type Reconciliation } from '../meltano/log-lines.js';
import type { LineSource } from '../meltano/plugin-process.js';

/**
 * Collects what the plugin processes print for one run: every line goes to the run's log
 * (scrubbed), record-count metrics are summed per stream and sent as progress, and the
 * last lines are kept to explain a failure.
 */
export function createRunOutput(writer: LogWriter, scrub: (text: string) => string) {
  const recordCounts: Record<string, number> = {};
  const loadedCounts: Record<string, number> = {};
  const tail: string[] = [];
  const reconciliation: Reconciliation[] = [];
  return {
    /** `source`: the plugin that printed the line; none for Sluice's own lines. */
    onLine(raw: string, source?: LineSource) {
      const entry = parseLogLine(scrub(raw), source);
      const at = new Date().toISOString();
      writer.write({ type: 'log', level: entry.level, message: entry.message, ...(entry.plugin ? { plugin: entry.plugin } : {}), at, ...(entry.sourceAt ? { source_at: entry.sourceAt } : {}) });
      tail.push(entry.message);
      if (tail.length > 200) tail.shift();
      if (entry.metric?.role === 'tap') {
        recordCounts[entry.metric.stream] = (recordCounts[entry.metric.stream] ?? 0) + entry.metric.records;
        writer.write({ type: 'progress', stream: entry.metric.stream, records: recordCounts[entry.metric.stream]!, at });
      } else if (entry.metric?.role === 'target') {
        loadedCounts[entry.metric.stream] = (loadedCounts[entry.metric.stream] ?? 0) + entry.metric.records;
      }
      if (entry.reconciliation) reconciliation.push(entry.reconciliation);
    },
    recordCounts,
    reconciliation,
    rowsLoaded: () => Object.values(loadedCounts).reduce((a, b) => a + b, 0),
    tail: () => tail.flatMap((line) => line.split('\n')),
  };
}
