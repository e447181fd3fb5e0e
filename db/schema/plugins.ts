import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

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
  capabilities: jsonb('capabilities').$type<string[]>().notNull(),
  settings: jsonb('settings').$type<unknown[]>().notNull(),
  /** Meltano's settings_group_validation: alternative sets of required settings. */
  settingGroups: jsonb('setting_groups').$type<string[][]>().notNull(),
  configSchema: jsonb('config_schema').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
