import type { Db } from '../../db/client.js';
import type { RunStatus } from '../../db/schema/index.js';
import { getRunById, transition, type Run, type RunOutput } from './service.js';

export type RunOutcome = {
  status: 'succeeded' | 'failed' | 'cancelled';
  exitCode: number | null;
  error: string | null;
  /** The settings a failure most likely comes from (shown beside the reason), when known. */
  settings?: string[] | undefined;
  result?: Record<string, unknown> | undefined;
  /** A sync's counts, when the caller has not recorded them yet. */
  output?: RunOutput | undefined;
};

export const FINAL_WRITE_FAILED = 'Sluice could not save the result of this run, so it is marked failed. Run it again; if this keeps happening, the service log has the details.';

/**
 * Ends a running run with its outcome. The write is made storable (storable.ts) and retried
 * (Postgres may be restarting); if it still fails, the run is marked failed with a plain
 * reason and nothing else, so no run stays "running" after its worker is done with it.
 * Given the worker's `attempt` (its fencing token, fence.ts), the write lands only while the
 * run is still that attempt's. Returns the status the run has now and what was saved:
 * `not-running` when it had already ended (cancelled, reaped: the outcome is dropped, and
 * the caller must say so), `superseded` when another worker reclaimed it (that worker
 * owns it now; the caller writes nothing more). Throws only when even the plain write
 * fails: then the reaper ends it later.
 *
 * @example
 * const { status } = await finishRun(db, run.id, { status: 'succeeded', exitCode: 0, error: null });
 */
export async function finishRun(
  db: Db,
  runId: string,
  outcome: RunOutcome,
  options: { attempt?: number; retryDelaysMs?: number[]; onError?: (error: unknown, attempt: number) => void } = {},
): Promise<{ status: RunStatus; run: Run | undefined; saved: 'outcome' | 'fallback' | 'not-running' | 'superseded' }> {
  const delays = options.retryDelaysMs ?? [250, 1_000, 4_000];
  const finishedAt = new Date();
  const result = outcome.settings?.length ? { ...outcome.result, failure_settings: outcome.settings } : outcome.result;
  const patch = { finishedAt, exitCode: outcome.exitCode, errorSummary: outcome.error, ...(result ? { result } : {}), ...outcome.output };
  const guard = options.attempt === undefined ? {} : { attempt: options.attempt };
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    try {
      const run = await transition(db, runId, 'running', outcome.status, patch, guard);
      return run ? { status: run.status, run, saved: 'outcome' } : await notRunning(db, runId);
    } catch (error) {
      options.onError?.(error, attempt + 1);
      const delay = delays[attempt];
      if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  const run = await transition(db, runId, 'running', 'failed', { finishedAt, exitCode: outcome.exitCode, errorSummary: FINAL_WRITE_FAILED }, guard);
  return run ? { status: run.status, run, saved: 'fallback' } : await notRunning(db, runId);
}

/** Why the guarded write matched nothing: the run ended, or (still running) another attempt holds it. */
async function notRunning(db: Db, runId: string) {
  const run = await getRunById(db, runId);
  return { status: run?.status ?? ('failed' as const), run, saved: run?.status === 'running' ? ('superseded' as const) : ('not-running' as const) };
}
