import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { pipelineStates } from '../../db/schema/index.js';
import type { Acting } from '../acting.js';
import { diff, recordAudit } from '../audit/service.js';
import { AppError, notFound } from '../errors.js';
import { getPipeline } from './service.js';

/**
 * A pipeline's Singer state over time: the final state of every sync, and the rollbacks,
 * edits and resets people asked for. A change people ask for is stored as pending; the
 * worker hands it to Meltano just before the pipeline's next sync, so no Meltano process
 * runs in the API.
 */
export type StateEntry = typeof pipelineStates.$inferSelect;

export async function stateHistory(db: Db, tenantId: string, pipelineId: string, limit: number, beforeId?: number) {
  await getPipeline(db, tenantId, pipelineId);
  return db
    .select()
    .from(pipelineStates)
    .where(and(eq(pipelineStates.pipelineId, pipelineId), beforeId === undefined ? undefined : lt(pipelineStates.id, beforeId)))
    .orderBy(desc(pipelineStates.id))
    .limit(limit + 1);
}

/** Far beyond any tap's bookmarks; a state past these breaks every later sync (Meltano refuses it). */
export const STATE_MAX_BYTES = 256 * 1024;
export const STATE_MAX_DEPTH = 32;

/**
 * How deep a JSON value nests, walked with an explicit stack: it must run before anything
 * recursive (JSON.stringify, the audit diff, Postgres's jsonb) sees a 10,000-deep value.
 * Stops counting once past `limit`.
 */
export function jsonDepth(value: unknown, limit = STATE_MAX_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Singer state is a JSON object of bounded size and depth; if it has bookmarks, they are an object of objects keyed by stream. */
export function stateErrors(state: unknown): Record<string, string[]> {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return { state: ['must be a JSON object'] };
  if (jsonDepth(state) > STATE_MAX_DEPTH) return { state: [`nests too deep: at most ${STATE_MAX_DEPTH} levels of objects and lists`] };
  if (Buffer.byteLength(JSON.stringify(state)) > STATE_MAX_BYTES) return { state: [`is too large: at most ${STATE_MAX_BYTES / 1024} KB`] };
  const bookmarks = (state as { bookmarks?: unknown }).bookmarks;
  if (bookmarks === undefined) return {};
  if (typeof bookmarks !== 'object' || bookmarks === null || Array.isArray(bookmarks)) return { 'state.bookmarks': ['must be an object keyed by stream'] };
  const bad = Object.entries(bookmarks).filter(([, v]) => typeof v !== 'object' || v === null || Array.isArray(v));
  return bad.length > 0 ? Object.fromEntries(bad.map(([stream]) => [`state.bookmarks.${stream}`, ['must be an object']])) : {};
}

async function latest(db: Db, pipelineId: string) {
  const [row] = await db.select().from(pipelineStates).where(eq(pipelineStates.pipelineId, pipelineId)).orderBy(desc(pipelineStates.id)).limit(1);
  return row;
}

async function setPending(db: Db, acting: Acting, pipelineId: string, source: 'rollback' | 'edit' | 'reset', state: Record<string, unknown>, detail: Record<string, unknown>) {
  await getPipeline(db, acting.tenantId, pipelineId);
  const before = (await latest(db, pipelineId))?.state ?? {};
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(pipelineStates).values({ tenantId: acting.tenantId, pipelineId, source, state, pending: true }).returning();
    await recordAudit(tx, { ...acting, action: `pipeline.state_${source}`, resourceType: 'pipeline', resourceId: pipelineId, changes: { ...detail, state: diff(before, state) } });
    return row!;
  });
}

export async function rollbackState(db: Db, acting: Acting, pipelineId: string, stateId: number) {
  const [target] = await db.select().from(pipelineStates).where(and(eq(pipelineStates.pipelineId, pipelineId), eq(pipelineStates.id, stateId), eq(pipelineStates.tenantId, acting.tenantId)));
  if (!target) throw notFound('That saved state');
  return setPending(db, acting, pipelineId, 'rollback', target.state, { to_state_id: stateId, to_run_id: target.runId });
}

export async function editState(db: Db, acting: Acting, pipelineId: string, state: unknown) {
  const fields = stateErrors(state);
  if (Object.keys(fields).length > 0) throw new AppError('validation_failed', 'This state is not valid Singer state.', fields);
  return setPending(db, acting, pipelineId, 'edit', state as Record<string, unknown>, {});
}

export const resetState = (db: Db, acting: Acting, pipelineId: string) => setPending(db, acting, pipelineId, 'reset', {}, {});

export function presentState(entry: StateEntry, previous: StateEntry | undefined) {
  return {
    id: entry.id,
    run_id: entry.runId,
    source: entry.source,
    pending: entry.pending,
    created_at: entry.createdAt.toISOString(),
    state: entry.state,
    changes: previous ? diff(flatten(previous.state), flatten(entry.state)) : null,
  };
}

/** bookmarks.orders.id → value, so a diff shows which bookmark moved. */
function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = v;
  }
  return out;
}
