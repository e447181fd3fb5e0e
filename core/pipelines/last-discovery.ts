import { and, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { connectorCatalogs, connectors, plugins, runs, type DiscoveredStream } from '../../db/schema/index.js';
import type { StoredDiscovery } from './discovery-reuse.js';
import { streamsOf } from './stream-offers.js';

/**
 * What a source's last discovery found, if it ran: when, and what each stream offers. Read
 * from the stored catalog with the plugin's capabilities as they are now, so a discovery
 * stored by an older Sluice is served like a new one.
 */
export async function lastDiscovery(db: DbOrTx, connectorId: string): Promise<{ discoveredAt: Date; streams: DiscoveredStream[] } | undefined> {
  const [row] = await db
    .select({ catalog: connectorCatalogs.catalog, discoveredAt: connectorCatalogs.discoveredAt, capabilities: plugins.capabilities })
    .from(connectorCatalogs)
    .innerJoin(connectors, eq(connectors.id, connectorCatalogs.connectorId))
    .leftJoin(plugins, eq(plugins.name, connectors.pluginName))
    .where(eq(connectorCatalogs.connectorId, connectorId))
    .limit(1);
  if (!row) return undefined;
  return { discoveredAt: row.discoveredAt, streams: streamsOf(row.catalog, row.capabilities ?? []) };
}

/**
 * The catalog the source's last discovery stored, as the tap printed it, and what decides
 * whether a sync may start from it (core/pipelines/discovery-reuse.ts): when it was made,
 * when the connector and its plugin last changed, whether the connector's last run failed.
 */
export async function lastCatalog(db: DbOrTx, connectorId: string): Promise<StoredDiscovery | undefined> {
  const [row] = await db
    .select({
      catalog: connectorCatalogs.catalog,
      discoveredAt: connectorCatalogs.discoveredAt,
      connectorChangedAt: connectors.updatedAt,
      pluginChangedAt: plugins.updatedAt,
      tenantId: connectors.tenantId,
    })
    .from(connectorCatalogs)
    .innerJoin(connectors, eq(connectors.id, connectorCatalogs.connectorId))
    .innerJoin(plugins, eq(plugins.name, connectors.pluginName))
    .where(eq(connectorCatalogs.connectorId, connectorId))
    .limit(1);
  if (!row) return undefined;
  const { tenantId, ...stored } = row;
  return { ...stored, lastRunFailed: await lastRunFailed(db, tenantId, connectorId) };
}

/**
 * Whether the connector's latest run that succeeded or failed, of any kind, failed (a
 * cancelled or skipped run says nothing of the source). Latest by queue time, so the read
 * walks runs_tenant_queued_idx backwards and stops at the first such run.
 */
async function lastRunFailed(db: DbOrTx, tenantId: string, connectorId: string): Promise<boolean> {
  const [run] = await db
    .select({ status: runs.status })
    .from(runs)
    .where(and(eq(runs.tenantId, tenantId), eq(runs.connectorId, connectorId), inArray(runs.status, ['succeeded', 'failed'])))
    .orderBy(desc(runs.queuedAt))
    .limit(1);
  return run?.status === 'failed';
}

/** Stores a discovery as the connector's last (a discover run's, a connection test's, or one a sync made), replacing the one before. */
export async function storeDiscovery(db: DbOrTx, found: { connectorId: string; tenantId: string; catalog: Record<string, unknown>; streams: DiscoveredStream[] }): Promise<void> {
  const row = { ...found, discoveredAt: new Date() };
  await db.insert(connectorCatalogs).values(row).onConflictDoUpdate({ target: connectorCatalogs.connectorId, set: row });
}
