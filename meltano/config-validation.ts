import type { JsonSchema } from './settings-schema.js';

export type FieldErrors = Record<string, string[]>;

type Property = { type?: string; format?: string; enum?: string[] };
type ConfigSchema = { properties?: Record<string, Property>; required?: string[]; anyOf?: Array<{ required: string[] }>; additionalProperties?: boolean };

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
const isEmail = (v: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);

function problemWith(property: Property, value: unknown): string | undefined {
  switch (property.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'must be a whole number';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'array':
      return Array.isArray(value) ? undefined : 'must be a list';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'must be an object';
    default: {
      if (typeof value !== 'string') return 'must be text';
      if (property.enum && !property.enum.includes(value)) return `must be one of: ${property.enum.join(', ')}`;
      if (property.format === 'date' && !isDate(value)) return 'must be a date like 2024-01-31';
      if (property.format === 'email' && !isEmail(value)) return 'must be an email address';
      return undefined;
    }
  }
}

/**
 * Validates a connector config against the JSON Schema the catalog publishes for its
 * plugin (settings-schema.ts), the same schema the web form uses: known fields only, each
 * of the right type and format, and the required settings (or one complete alternative
 * set of them) present. Returns messages keyed by setting name; empty when valid.
 *
 * `present` names settings that hold a value without being in `config` (stored secrets a
 * PATCH leaves as they are), so the required checks count them.
 */
export function validateConfig(schema: JsonSchema, config: Record<string, unknown>, present: string[] = []): FieldErrors {
  const s = schema as ConfigSchema;
  const properties = s.properties ?? {};
  // A Map: a field named `toString` must not find the inherited method of a plain object.
  const errors = new Map<string, string[]>();
  const add = (field: string, message: string) => errors.set(field, [...(errors.get(field) ?? []), message]);
  for (const [name, value] of Object.entries(config)) {
    // Own properties only: `toString`, `constructor` or `__proto__` must not find Object.prototype's.
    const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (!property) {
      if (s.additionalProperties === false) add(name, 'is not a setting of this connector');
      continue;
    }
    if (value === null) continue;
    const problem = problemWith(property, value);
    if (problem) add(name, problem);
  }
  const own = <T>(record: Record<string, T>, name: string) => (Object.hasOwn(record, name) ? record[name] : undefined);
  const hasValue = (name: string) => {
    const value = own(config, name);
    return present.includes(name) || (value !== undefined && value !== null && value !== '') || (own(properties, name) as { default?: unknown } | undefined)?.default !== undefined;
  };
  const groups = s.anyOf?.map((g) => g.required) ?? (s.required ? [s.required] : []);
  if (groups.length > 0 && !groups.some((group) => group.every(hasValue))) {
    // Point at the missing fields of the set the user is closest to completing.
    const missing = (group: string[]) => group.filter((n) => !hasValue(n));
    const closest = [...groups].sort((a, b) => missing(a).length - missing(b).length)[0]!;
    for (const name of missing(closest)) add(name, 'is required');
  }
  return Object.fromEntries(errors);
}
