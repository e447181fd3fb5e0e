import type { Catalog } from '../meltano/catalog-selection.js';
import type { PluginFolder, RunDir } from '../meltano/run-dir.js';
import type { SpawnResult } from '../meltano/spawn.js';
import { discoverIn, type TapInput } from './discover.js';

/**
 * The capability (meltano.yml) of a tap that reads the source's tables as they are when a
 * sync starts and says itself what changed: a column gone is skipped with a warning, a
 * replication key or a table gone fails its stream naming it (tap-sluice-postgres).
 */
export const LIVE_SCHEMA = 'live-schema';

/** A connector's last discovery as stored (connector_catalogs): the tap's catalog, and when. */
export type LastDiscovery = { catalog: Catalog; discoveredAt: Date };

/** No process ran: the catalog came from the connector's last discovery. */
const NOTHING_RAN: SpawnResult = { exitCode: 0, timedOut: false, cancelled: false, signal: undefined };

/**
 * The catalog a sync starts from. A tap with the `live-schema` capability gets the
 * connector's last discovery: discovering again would start the tap a second time (most of a
 * small sync's fixed cost) to learn what that tap checks anyway as it reads. Any other tap
 * discovers first, since the source may have changed since; so does a connector never
 * discovered. `lastDiscovery` is read only when it can be used.
 *
 * @example
 * const found = await catalogForSync(run, tapFolder, { plugin, config, onLine, timeoutMs, lastDiscovery: () => lastCatalog(db, connectorId) });
 * if (!found.catalog) return found.result; // the discovery failed
 */
export async function catalogForSync(
  run: RunDir,
  folder: PluginFolder,
  input: TapInput & { lastDiscovery?: (() => Promise<LastDiscovery | undefined>) | undefined },
): Promise<{ result: SpawnResult; catalog?: Catalog }> {
  const last = input.plugin.capabilities?.includes(LIVE_SCHEMA) ? await input.lastDiscovery?.() : undefined;
  if (last) {
    input.onLine(`Starting from the source's last discovery (${last.discoveredAt.toISOString()}): this source checks each table as it reads it, so it is not discovered again first.`);
    return { result: NOTHING_RAN, catalog: last.catalog };
  }
  input.onLine("Discovering the source's streams first, to check the pipeline against the source as it is now.");
  return discoverIn(run, folder, input);
}
