import { UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { RunFenced, type Claim } from '../core/runs/fence.js';
import { FINAL_WRITE_FAILED, finishRun, type RunOutcome } from '../core/runs/finish.js';
import { archiveRunLog } from '../core/runs/log-archive.js';
import type { LogWriter } from '../core/runs/run-log.js';
import { AfterRunFailure } from './run-watch.js';

export type Outcome = RunOutcome & { transient: boolean };

export const COULD_NOT_START = 'Sluice could not start this run. The service log has the details.';

/**
 * What a run that threw ends as. Only a failure before anything ran may be retried; one after
 * the plugins finished (a sync's data landed) says what failed and is not run again.
 */
export function failureOutcome(error: unknown, log: Logger): Outcome {
  if (error instanceof RunFenced) return { status: 'cancelled', exitCode: null, error: 'Another worker took this run over.', transient: false };
  if (error instanceof AfterRunFailure) {
    log.error({ err: error }, 'the run ran, but a step after it failed');
    return { status: 'failed', exitCode: null, error: error.userMessage, transient: false };
  }
  log.error({ err: error }, error instanceof UnrecoverableError ? 'run cannot start' : 'run crashed');
  return { status: 'failed', exitCode: null, error: COULD_NOT_START, transient: !(error instanceof UnrecoverableError) };
}

/**
 * Saves a run's outcome (fenced by the claim's attempt), then ends its live log with the
 * status the run really has, and archives the log. An outcome that came too late (the run
 * was already cancelled or ended by the reaper) is logged and said in the run's log, never
 * dropped silently; a run another worker took over is left entirely to that worker. Never
 * throws: once the plugins ran, a failure here must not make BullMQ run the work again.
 */
export async function endRun(deps: { db: Db; redis: Redis; logKey: string; log: Logger; writer: LogWriter }, claim: Claim, outcome: Outcome): Promise<void> {
  const { log, writer } = deps;
  let finished: Awaited<ReturnType<typeof finishRun>>;
  try {
    finished = await finishRun(deps.db, claim.runId, outcome, { attempt: claim.attempt, onError: (error, attempt) => log.error({ err: error, attempt }, 'could not save the run outcome') });
  } catch (error) {
    // Not even the plain write landed (Postgres away): the reaper ends the run later.
    log.error({ err: error, outcome: outcome.status }, 'could not save the run outcome nor mark it failed; the reaper will end it');
    await writer.close().catch(() => undefined);
    return;
  }
  if (finished.saved === 'superseded') {
    // Another worker reclaimed the run: it owns the run, its state and its log now.
    log.warn({ outcome: outcome.status, now_attempt: finished.run?.attempt }, 'another worker took this run over; this attempt stopped and wrote nothing more');
    await writer.close().catch(() => undefined);
    return;
  }
  const at = () => new Date().toISOString();
  if (finished.saved === 'not-running') {
    log.warn({ outcome: outcome.status, reason: outcome.error, stored_status: finished.status }, 'the run had already ended; its outcome was not recorded');
    const found = `${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`;
    writer.write({ type: 'log', level: 'warning', message: `This run had already ended (${finished.status}) when its worker finished, so what the worker found (${found}) was not recorded.`, at: at() });
  } else {
    const shown = finished.saved === 'fallback' ? FINAL_WRITE_FAILED : outcome.error;
    if (shown) writer.write({ type: 'log', level: finished.status === 'cancelled' ? 'warning' : 'error', message: shown, at: at() });
  }
  writer.write({ type: 'end', status: finished.status, at: at() });
  try {
    await writer.close();
    await archiveRunLog(deps.redis, deps.db, deps.logKey, claim.runId);
  } catch (error) {
    // The outcome is saved: a log that could not be kept is reported, never a reason to run again.
    log.error({ err: error }, 'could not archive the run log');
  }
  log.info({ status: finished.status }, 'run finished');
}
