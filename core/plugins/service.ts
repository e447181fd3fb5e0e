import { asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { connectors, plugins } from '../../db/schema/index.js';
import type { PluginDefinition } from '../../meltano/plugins.js';
import { configSchemaFor } from '../../meltano/settings-schema.js';

export type Plugin = typeof plugins.$inferSelect;

function catalogRow(d: PluginDefinition) {
  return {
    name: d.name,
    kind: d.kind,
    namespace: d.namespace,
    pipUrl: d.pip_url ?? null,
    executable: d.executable,
    label: d.label,
    description: d.description,
    category: d.category,
    setupGuide: d.setup_guide,
    logoUrl: d.logo_url ?? null,
    docsUrl: d.docs ?? null,
    capabilities: d.capabilities,
    settings: d.settings,
    settingGroups: d.settings_group_validation,
    configSchema: configSchemaFor(d),
    updatedAt: new Date(),
  };
}

/** Writes one plugin's catalog row from its meltano.yml definition. */
export async function upsertCatalogRow(db: DbOrTx, d: PluginDefinition): Promise<void> {
  const row = catalogRow(d);
  await db.insert(plugins).values(row).onConflictDoUpdate({ target: plugins.name, set: { ...row, updatedAt: sql`now()` } });
}

/** Upserts the catalog from meltano.yml's plugin definitions (run by `up` and by tests). */
export async function syncCatalog(db: Db, definitions: PluginDefinition[]): Promise<void> {
  for (const d of definitions) await upsertCatalogRow(db, d);
}

/**
 * Drops catalog rows meltano.yml no longer defines (removed by hand), except those a
 * connection still uses: those stay, and are returned so `up` can say so.
 */
export async function pruneCatalog(db: Db, definitions: PluginDefinition[]): Promise<string[]> {
  const defined = definitions.map((d) => d.name);
  const stale = await db.select({ name: plugins.name }).from(plugins).where(defined.length > 0 ? notInArray(plugins.name, defined) : sql`true`);
  if (stale.length === 0) return [];
  const used = new Set((await db.selectDistinct({ name: connectors.pluginName }).from(connectors).where(inArray(connectors.pluginName, stale.map((s) => s.name)))).map((r) => r.name));
  const unused = stale.map((s) => s.name).filter((n) => !used.has(n));
  if (unused.length > 0) await db.delete(plugins).where(inArray(plugins.name, unused));
  return [...used];
}

export const listPlugins = (db: Db) => db.select().from(plugins).orderBy(asc(plugins.kind), asc(plugins.name));

export const getPlugin = (db: DbOrTx, name: string) => db.query.plugins.findFirst({ where: eq(plugins.name, name) });

/** Each named plugin's settings schema, in one query (a page of connectors names few plugins, many times). */
export async function configSchemasOf(db: DbOrTx, names: string[]): Promise<Map<string, Plugin['configSchema']>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map();
  const rows = await db.select({ name: plugins.name, configSchema: plugins.configSchema }).from(plugins).where(inArray(plugins.name, unique));
  return new Map(rows.map((r) => [r.name, r.configSchema]));
}

/** The shape the API shows: snake_case, settings schema included. */
export function presentPlugin(p: Plugin) {
  return {
    name: p.name,
    kind: p.kind,
    label: p.label,
    description: p.description,
    category: p.category,
    setup_guide: p.setupGuide,
    icon_url: p.logoUrl,
    docs_url: p.docsUrl,
    pip_url: p.pipUrl,
    capabilities: p.capabilities,
    config_schema: p.configSchema,
  };
}
