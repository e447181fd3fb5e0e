import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { meltanoFile } from './project.js';

const settingKinds = [
  'string', 'integer', 'boolean', 'decimal', 'date_iso8601', 'email', 'password', 'oauth', 'options', 'file', 'array', 'object', 'hidden',
] as const;

export const settingSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'setting names are letters, digits, _ and .'),
  kind: z.enum(settingKinds).default('string'),
  label: z.string().optional(),
  description: z.string().optional(),
  placeholder: z.string().optional(),
  documentation: z.string().optional(),
  value: z.unknown().optional(),
  sensitive: z.boolean().optional(),
  options: z.array(z.object({ label: z.string(), value: z.union([z.string(), z.number()]) })).optional(),
  /**
   * Sluice's own keys (Meltano keeps unknown setting keys as they are). `json_schema`: the
   * setting's JSON Schema as the plugin reported it (--about), for a structure Meltano's kinds
   * cannot say: a list of objects, alternatives (oneOf), a map. `advanced`: folded away in the form.
   */
  json_schema: z.record(z.string(), z.unknown()).optional(),
  advanced: z.boolean().optional(),
});
export type Setting = z.infer<typeof settingSchema>;

const pluginSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'plugin names are lowercase letters, digits and -'),
  namespace: z.string(),
  pip_url: z.string().optional(),
  executable: z.string(),
  label: z.string(),
  description: z.string(),
  category: z.string(),
  setup_guide: z.string(),
  docs: z.string().optional(),
  logo_url: z.string().optional(),
  capabilities: z.array(z.string()).default([]),
  settings: z.array(settingSchema).default([]),
  settings_group_validation: z.array(z.array(z.string())).default([]),
});

export type PluginKind = 'extractor' | 'loader';
export type PluginDefinition = z.infer<typeof pluginSchema> & { kind: PluginKind };

const fileSchema = z.object({
  plugins: z.object({ extractors: z.array(pluginSchema).default([]), loaders: z.array(pluginSchema).default([]) }),
});

/** Parses meltano.yml text into plugin definitions; a bad definition names the plugin and field. */
export function parsePluginDefinitions(yamlText: string): PluginDefinition[] {
  const result = fileSchema.safeParse(parse(yamlText));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`meltano.yml: ${issue.path.join('.')}: ${issue.message}`);
  }
  return [
    ...result.data.plugins.extractors.map((p) => ({ ...p, kind: 'extractor' as const })),
    ...result.data.plugins.loaders.map((p) => ({ ...p, kind: 'loader' as const })),
  ];
}

export async function readPluginDefinitions(file = meltanoFile): Promise<PluginDefinition[]> {
  return parsePluginDefinitions(await readFile(file, 'utf8'));
}
