import { humanise } from './config-validation.js';
import type { Setting } from './plugins.js';

/**
 * A Singer SDK plugin's `--about --format=json` settings schema turned into Meltano
 * settings (meltano.yml), the form Sluice's catalog, forms and config files work from:
 *
 * - a plain nested object (`ssh_tunnel: {host, port, …}`) becomes dotted settings
 *   (`ssh_tunnel.host`), which Meltano and our config writer nest again;
 * - what Meltano's kinds cannot say (a list of objects, oneOf alternatives, a map) stays
 *   one `object`/`array` setting carrying the plugin's own JSON Schema (`json_schema`);
 *   a secret anywhere inside makes the whole setting secret (it is stored encrypted as one);
 * - `secret`/`writeOnly` → `sensitive`, `enum` → options, `default` → value, a date format → date_iso8601;
 * - the SDK's own plumbing (stream maps, flattening, batch files) is left out: Sluice chooses
 *   what is synced and how it is stored, and those settings would let a connector write
 *   files or evaluate expressions of a tenant's choosing.
 */
export type JsonSchema = Record<string, unknown>;
export type AboutSettings = {
  settings: Setting[];
  /** settings_group_validation: the required settings (one set), or the alternatives of a top-level anyOf/oneOf. */
  groups: string[][];
  /** Settings the plugin reports that Sluice leaves out, with why. */
  leftOut: Array<{ name: string; why: string }>;
};

/** Settings every Singer SDK plugin has that are Sluice's to decide. */
export const SDK_PLUMBING = new Set([
  'stream_maps', 'stream_map_config', 'faker_config', 'flattening_enabled', 'flattening_max_depth',
  'flattening_max_key_length', 'flattening_separator', 'batch_config',
]);
const MAX_NESTING = 3;

const record = (v: unknown): JsonSchema => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonSchema) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
/** The property's real type: `["string", "null"]` is a string that may be left out. */
export const mainType = (p: JsonSchema): string | undefined => (Array.isArray(p.type) ? p.type : [p.type]).find((t): t is string => typeof t === 'string' && t !== 'null');

/** `api_url` → "API URL", `start_date` → "Start date": the words the forms and messages use too. */
export const labelFromName = humanise;

/** True when the schema marks a secret anywhere inside it. */
function holdsSecret(schema: unknown, depth = 0): boolean {
  if (depth > 12 || schema === null || typeof schema !== 'object') return false;
  const s = schema as JsonSchema;
  if (s.secret === true || s.writeOnly === true || s['x-secret'] === true || s.sensitive === true) return true;
  return Object.values(s).some((v) => (Array.isArray(v) ? v.some((x) => holdsSecret(x, depth + 1)) : holdsSecret(v, depth + 1)));
}

/** A plain object: named properties and nothing cleverer, so each property can be a setting of its own. */
function isPlainObject(p: JsonSchema): boolean {
  const properties = record(p.properties);
  return mainType(p) === 'object' && Object.keys(properties).length > 0 && !p.oneOf && !p.anyOf && !p.allOf && !p.$ref
    && (p.additionalProperties === undefined || typeof p.additionalProperties === 'boolean');
}

function kindOf(p: JsonSchema): Pick<Setting, 'kind' | 'options' | 'json_schema'> {
  const type = mainType(p);
  if (Array.isArray(p.enum) && p.enum.length > 0 && p.enum.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return { kind: 'options', options: (p.enum as Array<string | number>).map((value) => ({ label: typeof value === 'string' ? labelFromName(value) : String(value), value })) };
  }
  const rich = p.oneOf !== undefined || p.anyOf !== undefined || p.allOf !== undefined || p.$ref !== undefined;
  switch (type) {
    case 'integer':
      return rich ? { kind: 'integer', json_schema: p } : { kind: 'integer' };
    case 'number':
      return rich ? { kind: 'decimal', json_schema: p } : { kind: 'decimal' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array': {
      const items = record(p.items);
      const simple = !rich && (p.items === undefined || (mainType(items) === 'string' && !items.enum && !items.oneOf && !items.anyOf));
      return simple ? { kind: 'array' } : { kind: 'array', json_schema: p };
    }
    case 'object':
      return { kind: 'object', json_schema: p };
    case 'string':
      if (rich) return { kind: 'string', json_schema: p };
      if (p.format === 'date' || p.format === 'date-time') return { kind: 'date_iso8601', ...(p.format === 'date-time' ? { json_schema: { type: 'string', format: 'date-time' } } : {}) };
      if (p.format === 'email') return { kind: 'email' };
      return { kind: 'string', ...(p.pattern || p.minLength !== undefined || p.maxLength !== undefined || p.format ? { json_schema: withoutText(p) } : {}) };
    default:
      // No type, or alternatives of different types: the plugin's own schema says it all.
      return { kind: 'object', json_schema: p };
  }
}

/** The schema without what the setting itself carries (label, help, default, secrecy). */
function withoutText(p: JsonSchema): JsonSchema {
  const { title: _t, description: _d, default: _v, secret: _s, writeOnly: _w, examples: _e, ...rest } = p;
  return rest;
}

function settingFor(name: string, p: JsonSchema): Setting {
  const { json_schema, ...kind } = kindOf(p);
  const examples = Array.isArray(p.examples) ? p.examples : [];
  return {
    name,
    ...kind,
    label: typeof p.title === 'string' && p.title.trim() !== '' ? p.title : labelFromName(name.split('.').at(-1)!),
    ...(typeof p.description === 'string' && p.description.trim() !== '' ? { description: p.description.trim() } : {}),
    ...(p.default !== undefined && p.default !== null ? { value: p.default } : {}),
    ...(holdsSecret(p) ? { sensitive: true } : {}),
    ...(typeof examples[0] === 'string' ? { placeholder: examples[0] } : {}),
    ...(json_schema ? { json_schema: withoutText(json_schema) } : {}),
  };
}

export function settingsFromAbout(settingsSchema: unknown): AboutSettings {
  const root = record(settingsSchema);
  const settings: Setting[] = [];
  const leftOut: AboutSettings['leftOut'] = [];
  const required: string[] = [];

  const visit = (prefix: string, schema: JsonSchema, parentRequired: boolean, depth: number) => {
    const requiredHere = new Set(strings(schema.required));
    for (const [key, value] of Object.entries(record(schema.properties))) {
      const name = prefix === '' ? key : `${prefix}.${key}`;
      const p = record(value);
      if (prefix === '' && SDK_PLUMBING.has(key)) {
        leftOut.push({ name, why: 'Sluice decides what is synced and how it is stored' });
        continue;
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        leftOut.push({ name, why: 'its name is not one Meltano settings can have (letters, digits and _)' });
        continue;
      }
      const isRequired = parentRequired && requiredHere.has(key);
      if (isPlainObject(p) && depth < MAX_NESTING) {
        visit(name, p, isRequired, depth + 1);
        continue;
      }
      settings.push(settingFor(name, p));
      if (isRequired) required.push(name);
    }
  };
  visit('', root, true, 0);

  // A top-level anyOf/oneOf of `required` lists: alternative ways to connect.
  const alternatives = [root.anyOf, root.oneOf].flatMap((a) => (Array.isArray(a) ? a : [])).map((a) => strings(record(a).required)).filter((g) => g.length > 0);
  const known = new Set(settings.map((s) => s.name));
  const groups = alternatives.length > 0
    ? alternatives.map((g) => [...new Set([...required, ...g])].filter((n) => known.has(n)))
    : required.length > 0 ? [required] : [];
  return { settings, groups, leftOut };
}
