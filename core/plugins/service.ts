import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { plugins } from '../../db/schema/index.js';
import type { PluginDefinition } from '../../meltano/plugins.js';
import { configSchemaFor } from '../../meltano/settings-schema.js';

export type Plugin = typeof plugins.$inferSelect;

/** Upserts the catalog from meltano.yml's plugin definitions (run by `up` and by tests). */
export async function syncCatalog(db: Db, definitions: PluginDefinition[]): Promise<void> {
  for (const d of definitions) {
    const row = {
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
    await db.insert(plugins).values(row).onConflictDoUpdate({ target: plugins.name, set: { ...row, updatedAt: sql`now()` } });
  }
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
