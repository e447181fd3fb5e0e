import { reuseDecision, reuseLine, type StoredDiscovery } from '../core/pipelines/discovery-reuse.js';
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

/** The connector's stored discoveries, as a sync reads and keeps them (jobs/run.processor.ts wires them to the database). */
export type SyncDiscoveries = {
  /** The connector's last discovery, with what decides whether it may be used (core/pipelines/last-discovery.ts lastCatalog). */
  last: () => Promise<StoredDiscovery | undefined>;
  /** Keeps a discovery this sync made, so the next syncs may start from it. */
  save: (catalog: Catalog) => Promise<void>;
  /** SLUICE_DISCOVERY_REUSE_SECONDS. */
  maxAgeSeconds: number;
  now?: () => Date;
};

/** No process ran: the catalog came from the connector's last discovery. */
const NOTHING_RAN: SpawnResult = { exitCode: 0, timedOut: false, cancelled: false, signal: undefined };

/**
 * The catalog a sync starts from: the connector's last discovery when the rule in
 * core/pipelines/discovery-reuse.ts allows it (discovering again starts the tap a second
 * time, most of a small sync's fixed cost), else a discovery made now, kept for the next
 * syncs. The run log says which, and why. Without `discoveries` the tap always discovers.
 *
 * @example
 * const found = await catalogForSync(run, tapFolder, { plugin, config, onLine, timeoutMs, discoveries: { last: () => lastCatalog(db, connectorId), save, maxAgeSeconds: 3600 } });
 * if (!found.catalog) return found.result; // the discovery failed
 */
export async function catalogForSync(
  run: RunDir,
  folder: PluginFolder,
  input: TapInput & { plugin: { capabilities?: readonly string[] | undefined }; discoveries?: SyncDiscoveries | undefined },
): Promise<{ result: SpawnResult; catalog?: Catalog }> {
  const { discoveries } = input;
  const policy = { liveSchema: input.plugin.capabilities?.includes(LIVE_SCHEMA) ?? false, maxAgeSeconds: discoveries?.maxAgeSeconds ?? 0 };
  const stored = await discoveries?.last();
  const decision = reuseDecision(stored, { ...policy, now: discoveries?.now?.() ?? new Date() });
  input.onLine(reuseLine(decision, policy));
  if (decision.reuse && stored) return { result: NOTHING_RAN, catalog: stored.catalog as Catalog };
  const found = await discoverIn(run, folder, input);
  if (found.catalog) await discoveries?.save(found.catalog);
  return found;
}
