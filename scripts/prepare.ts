import type { Db } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { syncCatalog } from '../core/plugins/service.js';

/** Migrations, then the plugin catalog from meltano.yml. Run before API and workers start. */
export async function prepareDatabase(databaseUrl: string, db: Db): Promise<void> {
  await migrateDatabase(databaseUrl);
  await syncCatalog(db, await readPluginDefinitions());
}
