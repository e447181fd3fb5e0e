import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb } from '../db/client.js';
import { prepareDatabase } from '../scripts/prepare.js';
import { testDatabaseUrl } from './test-env.js';

/**
 * A migrated database of the test's own beside the test database (`<test db>_<name>_<random>`),
 * for tests whose code reads every row of a table (the reconciler): other test files' rows
 * would be theirs to act on otherwise. `drop()` removes it.
 *
 * @example
 * const priv = await privateDatabase('reconciler');
 * const { db } = createDb(priv.url);
 */
export async function privateDatabase(name: string) {
  const url = new URL(testDatabaseUrl());
  url.pathname = `${url.pathname}_${name}_${randomBytes(3).toString('hex')}`;
  const { db, close } = createDb(url.toString(), { max: 1 });
  try {
    await prepareDatabase(url.toString(), db);
  } finally {
    await close();
  }
  return {
    url: url.toString(),
    name: url.pathname.slice(1),
    async drop() {
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
      await sql.end({ timeout: 5 });
    },
  };
}
