import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { createDb } from './client.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Creates the database named in `url` if the server does not have it yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL names database "${name}"; use letters, digits and _ only`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const found = await sql`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) {
      // Two processes may race here on a fresh machine; the loser's "already exists" is fine.
      await sql.unsafe(`create database "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Brings the database to the latest schema: our drizzle migrations, plus the `meltano`
 * schema where Meltano keeps its own tables (runs, state), created by Meltano on first use.
 */
export async function migrateDatabase(url: string): Promise<void> {
  await ensureDatabase(url);
  const { db, sql, close } = createDb(url, { max: 1 });
  try {
    await sql`select pg_advisory_lock(727274)`; // one migrator at a time across processes
    await migrate(db, { migrationsFolder });
    await sql`create schema if not exists meltano`;
    await sql`select pg_advisory_unlock(727274)`;
  } finally {
    await close();
  }
}
