import { createDb } from '../db/client.js';
import { meltanoEnv } from '../meltano/project.js';
import { spawnMeltano } from '../meltano/spawn.js';
import { prepareDatabase } from '../scripts/prepare.js';
import { testDatabaseUrl } from './test-env.js';

/** Once per test run: migrate the test database, seed the catalog, and let Meltano create its tables. */
export default async function setup() {
  const url = testDatabaseUrl();
  const { db, close } = createDb(url, { max: 1 });
  await prepareDatabase(url, db);
  await close();
  // Meltano migrates its system tables on first use; doing it here keeps parallel tests from racing on it.
  const lines: string[] = [];
  const result = await spawnMeltano(['state', 'list'], { env: meltanoEnv(url), onLine: (line) => void lines.push(line) });
  if (result.exitCode !== 0) throw new Error(`Meltano could not prepare its system database:\n${lines.join('\n')}`);
}
