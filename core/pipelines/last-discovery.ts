import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { connectorCatalogs, connectors, plugins, type DiscoveredStream } from '../../db/schema/index.js';
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

/** The catalog the source's last discovery stored, as the tap printed it, and when: what a sync may start from (jobs/sync-catalog.ts). */
export async function lastCatalog(db: DbOrTx, connectorId: string): Promise<{ catalog: Record<string, unknown>; discoveredAt: Date } | undefined> {
  const [row] = await db
    .select({ catalog: connectorCatalogs.catalog, discoveredAt: connectorCatalogs.discoveredAt })
    .from(connectorCatalogs)
    .where(eq(connectorCatalogs.connectorId, connectorId))
    .limit(1);
  return row;
}
