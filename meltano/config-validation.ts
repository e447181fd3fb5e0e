import { z } from 'zod';
import type { PluginDefinition, Setting } from './plugins.js';

export type FieldErrors = Record<string, string[]>;

function validatorFor(setting: Setting): z.ZodType {
  switch (setting.kind) {
    case 'integer':
      return z.number({ message: 'must be a whole number' }).int('must be a whole number');
    case 'decimal':
      return z.number({ message: 'must be a number' });
    case 'boolean':
      return z.boolean({ message: 'must be true or false' });
    case 'date_iso8601':
      return z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date like 2024-01-31');
    case 'email':
      return z.email('must be an email address');
    case 'options': {
      const allowed = (setting.options ?? []).map((o) => String(o.value));
      return z.string().refine((v) => allowed.includes(v), `must be one of: ${allowed.join(', ')}`);
    }
    case 'array':
      return z.array(z.unknown(), { message: 'must be a list' });
    case 'object':
    case 'oauth':
      return z.record(z.string(), z.unknown(), { message: 'must be an object' });
    default:
      return z.string({ message: 'must be text' });
  }
}

/**
 * Checks a connector config against its plugin's Meltano settings: known fields only, each
 * of the right kind, and at least one of the plugin's required setting groups complete.
 * Returns field errors keyed by setting name (empty when valid).
 *
 * `present` lists settings that hold a value without being in `config` (stored secrets a
 * PATCH leaves unchanged), so required-group checks count them.
 */
export function validateConfig(plugin: Pick<PluginDefinition, 'settings' | 'settings_group_validation'>, config: Record<string, unknown>, present: string[] = []): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const byName = new Map(plugin.settings.map((s) => [s.name, s]));
  for (const [name, value] of Object.entries(config)) {
    const setting = byName.get(name);
    if (!setting) {
      add(name, 'is not a setting of this connector');
      continue;
    }
    if (value === null) continue;
    const result = validatorFor(setting).safeParse(value);
    if (!result.success) add(name, result.error.issues[0]?.message ?? 'is not valid');
  }
  const hasValue = (name: string) => present.includes(name) || (config[name] !== undefined && config[name] !== null && config[name] !== '') || byName.get(name)?.value !== undefined;
  const groups = plugin.settings_group_validation;
  if (groups.length > 0 && !groups.some((group) => group.every(hasValue))) {
    // Point at the missing fields of the group the user is closest to completing.
    const closest = [...groups].sort((a, b) => a.filter((n) => !hasValue(n)).length - b.filter((n) => !hasValue(n)).length)[0]!;
    for (const name of closest.filter((n) => !hasValue(n))) add(name, 'is required');
  }
  return errors;
}
