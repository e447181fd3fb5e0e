import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { auditEvents } from '../../db/schema/index.js';

export type Actor = { type: 'user' | 'token' | 'system'; id: string | null; label: string };
export type AuditEntry = {
  tenantId: string;
  actor: Actor;
  action: string;
  resourceType: string;
  resourceId: string | null;
  changes?: Record<string, unknown>;
  requestId?: string | undefined;
};

/** Anything drizzle can run an insert on: the db or a transaction. */
type Executor = Pick<Db, 'insert'>;

/**
 * Records one audit event. Call it inside the transaction that makes the change, so the
 * change and its record land together or not at all. `changes` must never hold a secret
 * value: use `secretChange` for those.
 */
export async function recordAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditEvents).values({
    tenantId: entry.tenantId,
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    actorLabel: entry.actor.label,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    changes: entry.changes ?? {},
    requestId: entry.requestId ?? null,
  });
}

/** What an audit row says about a secret: that it was set, replaced or cleared — never its value. */
export const secretChange = (change: 'set' | 'replaced' | 'cleared') => ({ secret: change });

/** Field-by-field differences between two plain objects, for `changes`. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return out;
}

/** Newest first; `beforeId` continues after the last event of the previous page. */
export function listAudit(db: Db, tenantId: string, limit: number, beforeId?: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), beforeId === undefined ? undefined : lt(auditEvents.id, beforeId)))
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
}

export function presentAudit(e: typeof auditEvents.$inferSelect) {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
    action: e.action,
    resource: { type: e.resourceType, id: e.resourceId },
    changes: e.changes,
    request_id: e.requestId,
  };
}
