import { and, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { runs } from '../../db/schema/index.js';

/**
 * A worker's hold on a run: the run's id and the attempt number it claimed. After
 * stalled-job recovery a second worker reclaims the run (attempt + 1) while the first may
 * still be executing it; the attempt is the fencing token that keeps the first from
 * writing anything more (saved state, the run's outcome, a connector's test result).
 */
export type Claim = { runId: string; attempt: number };

/** A write refused because the run is no longer this claim's: reclaimed by another worker, or ended. */
export class RunFenced extends Error {
  override name = 'RunFenced';
  constructor(readonly claim: Claim) {
    super(`Run ${claim.runId} is no longer held by attempt ${claim.attempt}: another worker took it over, or it ended.`);
  }
}

/**
 * Runs `write` in a transaction only while the run is `running` under this claim's
 * attempt. The run's row is share-locked meanwhile, so a reclaim (which bumps the attempt)
 * waits for the write to commit, and a write after a reclaim sees the new attempt and is
 * refused with RunFenced.
 *
 * @example
 * await whileHeld(db, { runId, attempt }, (tx) => tx.update(pipelineStates).set({ state }).where(eq(pipelineStates.id, rowId)));
 */
export async function whileHeld<T>(db: Db, claim: Claim, write: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const [held] = await tx
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.id, claim.runId), eq(runs.attempt, claim.attempt), eq(runs.status, 'running')))
      .for('share');
    if (!held) throw new RunFenced(claim);
    return write(tx);
  });
}

/** Whether the run is still `running` under this claim (a check, not a lock: writes go through whileHeld). */
export async function holdsRun(db: Db, claim: Claim): Promise<boolean> {
  const [held] = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.id, claim.runId), eq(runs.attempt, claim.attempt), eq(runs.status, 'running')));
  return held !== undefined;
}
