import { and, desc, eq, gte, ilike, lt, lte, type SQL } from 'drizzle-orm';
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

/** What the audit log can be narrowed to; every field left out matches everything. */
export type AuditFilter = {
  /** Exact action, e.g. `connector.create`. */
  action?: string | undefined;
  /** Exact resource type, e.g. `connector`. */
  resourceType?: string | undefined;
  /** Exact resource id. */
  resourceId?: string | undefined;
  /** Part of who did it (an email, `token "name"`), any case; `%` and `_` are literal. */
  actor?: string | undefined;
  /** At or after. */
  since?: Date | undefined;
  /** At or before. */
  until?: Date | undefined;
};

/** `%`, `_` and the escape character itself match only themselves in a LIKE pattern. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Newest first, `limit + 1` rows (so the caller knows whether there is more); `beforeId` continues after the last event of the previous page. */
export function listAudit(db: Db, tenantId: string, query: { limit: number; beforeId?: number | undefined } & AuditFilter) {
  const filters: SQL[] = [eq(auditEvents.tenantId, tenantId)];
  if (query.beforeId !== undefined) filters.push(lt(auditEvents.id, query.beforeId));
  if (query.action !== undefined) filters.push(eq(auditEvents.action, query.action));
  if (query.resourceType !== undefined) filters.push(eq(auditEvents.resourceType, query.resourceType));
  if (query.resourceId !== undefined) filters.push(eq(auditEvents.resourceId, query.resourceId));
  if (query.actor !== undefined) filters.push(ilike(auditEvents.actorLabel, `%${escapeLike(query.actor)}%`));
  if (query.since !== undefined) filters.push(gte(auditEvents.at, query.since));
  if (query.until !== undefined) filters.push(lte(auditEvents.at, query.until));
  return db
    .select()
    .from(auditEvents)
    .where(and(...filters))
    .orderBy(desc(auditEvents.id))
    .limit(query.limit + 1);
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
