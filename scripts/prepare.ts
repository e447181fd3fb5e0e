import type { Db } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { pruneCatalog, syncCatalog } from '../core/plugins/service.js';

/** Migrations, then the plugin catalog from meltano.yml (meltano.yml is the source of truth). Run before API and workers start. */
export async function prepareDatabase(databaseUrl: string, db: Db): Promise<void> {
  await migrateDatabase(databaseUrl);
  const definitions = await readPluginDefinitions();
  await syncCatalog(db, definitions);
  // A plugin removed from meltano.yml by hand leaves the catalog too, unless a connection still uses it.
  await pruneCatalog(db, definitions);
}
