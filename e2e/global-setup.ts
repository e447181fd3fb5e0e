import { createDb } from '../db/client.js';
import { prepareDatabase } from '../scripts/prepare.js';
import { testDatabaseUrl } from './test-env.js';

/** Once per test run: migrate the test database and seed the catalog. (Plugins never run through Meltano, so it needs no tables of its own.) */
export default async function setup() {
  const url = testDatabaseUrl();
  const { db, close } = createDb(url, { max: 1 });
  await prepareDatabase(url, db);
  await close();
}
