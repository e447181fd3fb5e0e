import { describe, expect, it } from 'vitest';
import { presentRun, type Run } from './service.js';

const run = (reconciliation: Run['reconciliation']): Run => ({
  id: 'r', tenantId: 't', kind: 'sync', trigger: 'manual', status: 'succeeded', connectorId: 'c', pipelineId: 'p', queuedAt: new Date(0), startedAt: null, finishedAt: null,
  exitCode: 0, recordCounts: {}, rowsLoaded: 20, reconciliation, errorSummary: null, attempt: 1, params: {}, result: null, worker: null, cancelRequestedAt: null,
});

describe('presentRun', () => {
  it('totals the values the loader could not store exactly, over every stream and column', () => {
    const counts = { table: 't', received: 20, inserted: 20, inTable: 20, ok: true };
    const view = presentRun(run([
      { stream: 'a', ...counts, lossy: [{ column: 'd', reason: 'date before 1970-01-01', count: 12, kept: true }, { column: 't', reason: 'fraction of a second dropped', count: 3, kept: false }] },
      { stream: 'b', ...counts, lossy: [] },
      { stream: 'c', ...counts },
    ]));
    expect(view.lossy_values).toBe(15);
    expect(view.reconciliation![0]!.lossy).toHaveLength(2);
    expect(presentRun(run([{ stream: 'a', ...counts }])).lossy_values).toBe(0);
    // no reconciliation (a test run, an older sync): nothing to count
    expect(presentRun(run(null)).lossy_values).toBeNull();
  });
});
