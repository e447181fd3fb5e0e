import { json, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The plugin catalog, seeded from meltano.yml. Global, not per tenant. */
export const plugins = pgTable('plugins', {
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['extractor', 'loader'] }).notNull(),
  namespace: text('namespace').notNull(),
  pipUrl: text('pip_url'),
  executable: text('executable').notNull(),
  label: text('label').notNull(),
  description: text('description').notNull(),
  category: text('category').notNull(),
  setupGuide: text('setup_guide').notNull(),
  /** The icon the catalog shows (Meltano's `logo_url`): a path the web app serves, e.g. /icons/tap-github.svg. */
  logoUrl: text('logo_url'),
  /** The plugin's documentation (Meltano's `docs`). */
  docsUrl: text('docs_url'),
  capabilities: jsonb('capabilities').$type<string[]>().notNull(),
  // json, not jsonb: jsonb sorts object keys, and the order of settings and properties is the form's order.
  settings: json('settings').$type<unknown[]>().notNull(),
  /** Meltano's settings_group_validation: alternative sets of required settings. */
  settingGroups: jsonb('setting_groups').$type<string[][]>().notNull(),
  configSchema: json('config_schema').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
