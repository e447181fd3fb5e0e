import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { pipelineStates } from '../db/schema/index.js';
import { stateErrors } from '../core/pipelines/state.js';
import { RunFenced, whileHeld, type Claim } from '../core/runs/fence.js';

/**
 * A pipeline's Singer state lives in Sluice's own table (pipeline_states), not in Meltano:
 * no plugin and no Meltano process needs our database. Each sync keeps one row of its own,
 * updated every time the target reports a state (the target reports one only after the
 * rows before it are committed), so a worker killed mid-sync resumes from the last
 * committed state. The pipeline's current state is its newest row that is neither pending
 * nor rejected.
 */
type Row = typeof pipelineStates.$inferSelect;

export async function currentState(db: Db, pipelineId: string): Promise<Row | undefined> {
  const [row] = await db
    .select()
    .from(pipelineStates)
    .where(and(eq(pipelineStates.pipelineId, pipelineId), eq(pipelineStates.pending, false), isNull(pipelineStates.rejectedAt)))
    .orderBy(desc(pipelineStates.id))
    .limit(1);
  return row;
}

/** Deeper than this, or larger, and a tap's JSON parser may give up (Python's stops near 1,000 levels). */
const MAX_DEPTH = 100;
const MAX_BYTES = 5 * 1024 * 1024;

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Why a state cannot be handed to a tap, in plain words; undefined when it can. An edit meets
 * the rules the API applied when it was saved (core/pipelines/state.ts: shape, size, depth);
 * a rollback goes back to what a tap itself once reported, so only a parser's limits apply.
 */
export function unusableState(state: unknown, source: 'edit' | 'rollback' | 'sync' = 'edit'): string | undefined {
  const fields = source === 'edit' ? stateErrors(state) : {};
  if (Object.keys(fields).length > 0) return Object.entries(fields).map(([field, problems]) => `${field} ${problems.join(', ')}`).join('; ');
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return 'it is not a JSON object';
  if (depthOf(state) > MAX_DEPTH) return `it is nested more than ${MAX_DEPTH} levels deep`;
  if (JSON.stringify(state).length > MAX_BYTES) return 'it is larger than 5 MB';
  return undefined;
}

export class StateRejected extends Error {
  override name = 'StateRejected';
}

/**
 * Applies a pending rollback, edit or reset: it simply becomes the newest applied row. An
 * edit that is not usable state is marked rejected (the pipeline keeps its previous state)
 * and StateRejected is thrown, so this run fails with a plain reason and later syncs don't.
 */
export async function applyPendingState(db: Db, pipelineId: string): Promise<Row | undefined> {
  const [latest] = await db.select().from(pipelineStates).where(and(eq(pipelineStates.pipelineId, pipelineId), isNull(pipelineStates.rejectedAt))).orderBy(desc(pipelineStates.id)).limit(1);
  if (!latest?.pending) return undefined;
  const problem = latest.source === 'reset' ? undefined : unusableState(latest.state, latest.source);
  if (problem) {
    await rejectState(db, latest.id);
    throw new StateRejected(`The pipeline's ${latest.source}ed state saved at ${latest.createdAt.toISOString()} was not used: ${problem}. The pipeline keeps its previous state; save a corrected state or reset it.`);
  }
  await db.update(pipelineStates).set({ pending: false }).where(and(eq(pipelineStates.id, latest.id), eq(pipelineStates.pending, true)));
  return latest;
}

export const rejectState = (db: DbOrTx, id: number) => db.update(pipelineStates).set({ pending: false, rejectedAt: new Date() }).where(eq(pipelineStates.id, id));

/**
 * The row a sync writes its states to. A retried attempt of the same run takes up the row
 * its earlier attempt left (and the state in it). `save` queues writes in order; `finish`
 * waits for them and, for a run that saved nothing and did not succeed, removes the row so
 * the pipeline's state stays what it was.
 *
 * Every write is fenced by the claim (core/runs/fence.ts): once another worker has
 * reclaimed the run, or it has ended, this attempt's states are refused (the new attempt's
 * stand), `onFenced` is called once so the caller stops its plugins, and `finish` throws
 * RunFenced.
 */
export async function startStateRow(db: Db, input: { tenantId: string; pipelineId: string; claim: Claim; fullRefresh: boolean; onFenced?: () => void }) {
  const { claim } = input;
  const current = await currentState(db, input.pipelineId);
  const resumed = current?.runId === claim.runId && current.source === 'sync' ? current : undefined;
  const startState = resumed?.state ?? (input.fullRefresh ? {} : (current?.state ?? {}));
  const row =
    resumed ??
    (await whileHeld(db, claim, async (tx) => (await tx.insert(pipelineStates).values({ tenantId: input.tenantId, pipelineId: input.pipelineId, runId: claim.runId, source: 'sync', state: startState }).returning())[0]!));
  let saved = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let failure: Error | undefined;
  let fenced: RunFenced | undefined;
  const write = (what: (tx: DbOrTx) => Promise<unknown>) => {
    chain = chain
      .then(() => (fenced ? undefined : whileHeld(db, claim, what)))
      .catch((error: Error) => {
        if (!(error instanceof RunFenced)) return (failure = error);
        fenced = error;
        input.onFenced?.();
      });
  };
  return {
    /** What the tap starts from (nothing on a full refresh's first attempt). */
    startState,
    save(state: Record<string, unknown>) {
      saved += 1;
      write((tx) => tx.update(pipelineStates).set({ state }).where(eq(pipelineStates.id, row.id)));
    },
    saved: () => saved,
    async finish(succeeded: boolean) {
      await chain;
      if (fenced) throw fenced;
      if (failure) throw failure;
      if (!succeeded && saved === 0 && !resumed) await whileHeld(db, claim, (tx) => tx.delete(pipelineStates).where(eq(pipelineStates.id, row.id)));
    },
  };
}
