import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { ensureDatabase } from '../db/migrate.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';

/**
 * A table of its own in the test source database, and a tap-postgres config that reads it.
 * The table lives on the sources' PostgreSQL (setup.sh, port 5433), never on the platform's:
 * connectors may not reach that. `_platformDatabaseUrl` is kept so callers need not change.
 */
export async function sourceTable(_platformDatabaseUrl: string, rows: number) {
  const url = new URL(sourceDatabaseUrl());
  url.pathname = '/sluice_test_source';
  await ensureDatabase(url.toString());
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const table = `src_${randomBytes(4).toString('hex')}`;
  await sql.unsafe(`create table ${table} (id int primary key, name text, amount numeric(12,2), updated_at timestamptz not null)`);
  const insert = (from: number, to: number) =>
    sql.unsafe(`insert into ${table} select g, 'row ' || g, g / 100.0, timestamptz '2024-01-01T00:00:00Z' + g * interval '1 second' from generate_series(${from}, ${to}) g`);
  if (rows > 0) await insert(1, rows);
  return {
    table,
    stream: `public-${table}`,
    sql,
    insert,
    config: { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username) || 'postgres', password: 'unused-with-trust-auth', database: 'sluice_test_source', filter_schemas: ['public'] },
    async drop() {
      await sql.unsafe(`drop table if exists ${table}`);
      await sql.end();
    },
  };
}
