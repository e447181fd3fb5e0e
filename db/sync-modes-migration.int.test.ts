import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../e2e/test-env.js';
import { createDb } from './client.js';
import { ensureDatabase } from './migrate.js';

// Drizzle's driver hands jsonb parameters through as text: send JSON text.
const json = (value: unknown) => JSON.stringify(value);
const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

/** The migrations folder as it was up to and including `last` (journal cut there). */
async function migrationsUpTo(last: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-migrations-'));
  await cp(migrations, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: Array<{ idx: number }> };
  await writeFile(journalFile, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= last) }));
  return dir;
}

// Migration 0010 gives every stored stream the sync mode matching how it was loaded before.
describe('migration 0010: sync modes for stored pipelines', () => {
  const url = new URL(testDatabaseUrl());
  url.pathname = `${url.pathname}_m${randomBytes(4).toString('hex')}`;
  const folders: string[] = [];
  afterAll(async () => {
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
    const admin = postgres(Object.assign(new URL(url), { pathname: '/postgres' }).toString(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
    await admin.end();
  });

  it('maps FULL_TABLE to replacing all data and INCREMENTAL to deduped where the last discovery gave keys, append elsewhere', async () => {
    await ensureDatabase(url.toString());
    const { db, sql, close } = createDb(url.toString(), { max: 1 });
    try {
      const before = await migrationsUpTo(9);
      folders.push(before);
      await migrate(db, { migrationsFolder: before });
      const [tenant] = await sql`insert into tenants (slug, name) values ('m', 'M') returning id`;
      await sql`insert into plugins (name, kind, namespace, executable, label, description, category, setup_guide, capabilities, settings, setting_groups, config_schema)
        values ('tap-postgres', 'extractor', 'tap_postgres', 'tap-postgres', 'PostgreSQL', '', 'database', '', '[]', '[]', '[]', '{}')`;
      const connector = async (name: string) => (await sql`insert into connectors (tenant_id, name, plugin_name, config) values (${tenant!.id}, ${name}, 'tap-postgres', '{}') returning id`)[0]!.id as string;
      const discovered = await connector('discovered');
      const never = await connector('never discovered');
      // the streams column as Sluice stored it before issue 10
      const oldView = [
        { stream: 'public-orders', properties: {}, key_properties: ['id'], replication_keys: [], replication_methods: ['FULL_TABLE'] },
        { stream: 'public-events', properties: {}, key_properties: [], replication_keys: [], replication_methods: ['FULL_TABLE'] },
      ];
      await sql`insert into connector_catalogs (connector_id, tenant_id, catalog, streams) values (${discovered}, ${tenant!.id}, ${json({ streams: [] })}::jsonb, ${json(oldView)}::jsonb)`;
      const pipeline = async (name: string, source: string, streams: unknown[]) =>
        (await sql`insert into pipelines (tenant_id, name, source_connector_id, destination_database, streams) values (${tenant!.id}, ${name}, ${source}, 'sluice_m', ${json(streams)}::jsonb) returning id`)[0]!.id as string;
      const a = await pipeline('a', discovered, [
        { stream: 'public-orders', replication_method: 'INCREMENTAL', replication_key: 'updated_at' },
        { stream: 'public-events', replication_method: 'INCREMENTAL', replication_key: 'seq' },
        { stream: 'public-lost', replication_method: 'INCREMENTAL', replication_key: 'x' },
        { stream: 'public-orders', replication_method: 'FULL_TABLE', replication_key: 'left over' },
        { stream: 'public-events' },
      ]);
      const b = await pipeline('b', never, [{ stream: 'public-orders', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }]);
      const c = await pipeline('c', discovered, [{ stream: 'public-orders', sync_mode: 'full_refresh_append', replication_method: 'FULL_TABLE' }]);

      const after = await migrationsUpTo(10);
      folders.push(after);
      await migrate(db, { migrationsFolder: after });
      const rows = await sql<Array<{ id: string; streams: unknown; untyped_numbers: string }>>`select id, streams, untyped_numbers from pipelines`;
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(a)!.streams).toEqual([
        { stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' },
        { stream: 'public-events', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'seq' },
        { stream: 'public-lost', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'x' },
        { stream: 'public-orders', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' },
        { stream: 'public-events', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' },
      ]);
      // no discovery: nobody knows its keys, so it appends (nothing is lost)
      expect(byId.get(b)!.streams).toEqual([{ stream: 'public-orders', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }]);
      expect(byId.get(c)!.streams).toEqual([{ stream: 'public-orders', sync_mode: 'full_refresh_append', replication_method: 'FULL_TABLE' }]);
      expect(rows.map((r) => r.untyped_numbers)).toEqual(['float', 'float', 'float']);
    } finally {
      await close();
    }
  });
});
