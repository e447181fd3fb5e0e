import type { PluginDefinition, Setting } from './plugins.js';

export type JsonSchema = Record<string, unknown>;

/** A setting is secret when Meltano would hide it: `sensitive: true` or the old `password` kind. */
export const isSecretSetting = (setting: Setting) => setting.sensitive === true || setting.kind === 'password';

function propertyFor(setting: Setting): JsonSchema {
  const common: JsonSchema = {
    ...(setting.label ? { title: setting.label } : {}),
    ...(setting.description ? { description: setting.description } : {}),
    ...(setting.value !== undefined && setting.value !== '' ? { default: setting.value } : {}),
    ...(isSecretSetting(setting) ? { writeOnly: true, 'x-secret': true } : {}),
    ...(setting.placeholder ? { 'x-placeholder': setting.placeholder } : {}),
    ...(setting.advanced ? { 'x-advanced': true } : {}),
  };
  // The plugin's own schema for the setting, when it said one; our label, help and secrecy on top.
  if (setting.json_schema) return { ...setting.json_schema, ...common };
  switch (setting.kind) {
    case 'integer':
      return { type: 'integer', ...common };
    case 'decimal':
      return { type: 'number', ...common };
    case 'boolean':
      return { type: 'boolean', ...common };
    case 'date_iso8601':
      return { type: 'string', format: 'date', ...common };
    case 'email':
      return { type: 'string', format: 'email', ...common };
    case 'options':
      return { type: 'string', enum: (setting.options ?? []).map((o) => String(o.value)), 'x-enum-labels': (setting.options ?? []).map((o) => o.label), ...common };
    case 'array':
      return { type: 'array', ...common };
    case 'object':
    case 'oauth':
      return { type: 'object', ...common };
    case 'file':
      return { type: 'string', 'x-kind': 'file', ...common };
    default:
      return { type: 'string', ...common };
  }
}

/**
 * JSON Schema for a plugin's config, generated from its Meltano settings. The wizard form
 * and the server validate with this same schema. Settings groups (alternative required
 * sets) become `anyOf` of `required` lists.
 */
export function configSchemaFor(plugin: Pick<PluginDefinition, 'settings' | 'settings_group_validation' | 'label'>): JsonSchema {
  const properties = Object.fromEntries(plugin.settings.filter((s) => s.kind !== 'hidden').map((s) => [s.name, propertyFor(s)]));
  const groups = plugin.settings_group_validation;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: plugin.label,
    type: 'object',
    properties,
    additionalProperties: false,
    ...(groups.length === 1 ? { required: groups[0] } : {}),
    ...(groups.length > 1 ? { anyOf: groups.map((required) => ({ required })) } : {}),
  };
}

export const secretSettingNames = (plugin: Pick<PluginDefinition, 'settings'>) => plugin.settings.filter(isSecretSetting).map((s) => s.name);

/** Names of the secret settings, read from a published config schema (`x-secret`). */
export function secretNamesOf(schema: JsonSchema): string[] {
  const properties = (schema.properties ?? {}) as Record<string, { 'x-secret'?: boolean }>;
  return Object.entries(properties).filter(([, p]) => p['x-secret'] === true).map(([name]) => name);
}
