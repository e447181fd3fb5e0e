import { humanise, listOf } from './words.js';

/**
 * A connector's config JSON Schema (meltano/settings-schema.ts) as a form: the fields with
 * their labels and inputs, the "ways to connect" (its `anyOf` of `required` lists), the
 * form's starting values and the config it submits. Pure: no React, so it is unit-tested.
 */

/** As the catalog sends it (`config_schema`): read defensively, it comes over the network. */
export type ConfigSchema = Record<string, unknown>;
export type FieldKind = 'text' | 'secret' | 'integer' | 'number' | 'switch' | 'select' | 'date' | 'email' | 'tags' | 'json';
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
export type FieldOption = { value: string; label: string };

export type Field = {
  name: string;
  /** `field-<name>`: the input's id, stable for labels, focus and browser tests. */
  id: string;
  label: string;
  help?: string;
  placeholder?: string;
  kind: FieldKind;
  /** The JSON type submitted (numbers are parsed from text by it); absent when the schema names none. */
  type?: JsonType;
  /** For lists: the type of each item. */
  itemType?: JsonType;
  secret: boolean;
  options: FieldOption[];
  default?: unknown;
  /** Must be filled whenever it is shown (a field of the chosen way, or required by every way). */
  required: boolean;
  /** Optional and in no way to connect: folded away under "Advanced settings". */
  advanced: boolean;
  /** Ids of the ways to connect it belongs to; empty for the fields every way shares. */
  ways: string[];
};

/** One complete set of settings the connector accepts, e.g. "Connection URL". `id` is its index in `anyOf`. */
export type Way = { id: string; label: string; fields: string[] };
export type FormModel = { fields: Field[]; ways: Way[] };

/** What the inputs hold: text as typed, switches as booleans, tags as lists. */
export type FieldValue = string | boolean | string[];
/**
 * The form's value, keyed by setting name, plus the chosen way under WAY_KEY. One flat record
 * so a draft can keep it as it keeps a config (and drop the secrets by name).
 */
export type FormValues = Record<string, FieldValue>;
/** Setting names start with a letter or `_` (meltano/plugins.ts), so this key never collides. */
export const WAY_KEY = '$way';
/** The key of errors about the form as a whole rather than one field. */
export const FORM_ERROR = '_form';
/** What the API shows instead of a stored secret (core/connectors/service.ts); never a value to send back. */
export const SERVER_MASK = '********';

const JSON_TYPES: readonly string[] = ['string', 'integer', 'number', 'boolean', 'array', 'object'];
const record = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
// `type` may be a list (`['string', 'null']`): the first real type counts; anything else falls back to text.
const jsonType = (t: unknown): JsonType | undefined => (Array.isArray(t) ? t : [t]).find((x): x is JsonType => typeof x === 'string' && JSON_TYPES.includes(x));

function kindOf(p: Record<string, unknown>, type: JsonType | undefined, secret: boolean): FieldKind {
  if (type === 'boolean') return 'switch';
  if (Array.isArray(p.enum) && p.enum.length > 0) return 'select';
  if (type === 'array') return 'tags';
  if (type === 'object') return 'json';
  if (secret) return 'secret';
  if (type === 'integer' || type === 'number') return type;
  if (p.format === 'date') return 'date';
  if (p.format === 'email') return 'email';
  return 'text';
}

function optionsOf(p: Record<string, unknown>): FieldOption[] {
  const values: unknown[] = Array.isArray(p.enum) ? p.enum : [];
  const labels: unknown[] = Array.isArray(p['x-enum-labels']) ? p['x-enum-labels'] : [];
  return values.map((v, i) => ({ value: String(v), label: text(labels[i]) ?? String(v) }));
}

function fieldOf(name: string, p: Record<string, unknown>, required: boolean, ways: string[]): Field {
  const type = jsonType(p.type);
  const itemType = jsonType(record(p.items).type);
  const secret = p['x-secret'] === true || p.writeOnly === true;
  const help = text(p.description);
  const placeholder = text(p['x-placeholder']);
  return {
    name,
    id: `field-${name}`,
    label: text(p.title) ?? humanise(name),
    ...(help !== undefined ? { help } : {}),
    ...(placeholder !== undefined ? { placeholder } : {}),
    kind: kindOf(p, type, secret),
    ...(type !== undefined ? { type } : {}),
    ...(itemType !== undefined ? { itemType } : {}),
    secret,
    options: optionsOf(p),
    ...(p.default !== undefined ? { default: p.default } : {}),
    required: required || ways.length > 0,
    advanced: !required && ways.length === 0,
    ways,
  };
}

// Built once per schema object: the form and its validation both read it on every keystroke.
const models = new WeakMap<object, FormModel>();

export function formModel(schema: ConfigSchema): FormModel {
  const cached = models.get(schema);
  if (cached) return cached;
  const properties = record(schema.properties);
  const everyWay = new Set(strings(schema.required));
  const groups = (Array.isArray(schema.anyOf) ? schema.anyOf : [])
    .map((g, i) => ({ id: String(i), names: strings(record(g).required).filter((n) => Object.hasOwn(properties, n) && !everyWay.has(n)) }))
    .filter((g) => g.names.length > 0);
  const fields = Object.entries(properties).map(([name, p]) =>
    fieldOf(name, record(p), everyWay.has(name), groups.filter((g) => g.names.includes(name)).map((g) => g.id)),
  );
  const labelOf = (name: string) => fields.find((f) => f.name === name)?.label ?? humanise(name);
  const ways = groups.map((g) => ({ id: g.id, label: listOf(g.names.map(labelOf)), fields: g.names }));
  const model = { fields, ways };
  models.set(schema, model);
  return model;
}

/** A setting's label, or a readable name for keys the schema does not know (`name` → "Name"). */
export const labelFor = (model: FormModel, name: string) => model.fields.find((f) => f.name === name)?.label ?? humanise(name);

export const chosenWay = (model: FormModel, values: FormValues): Way | undefined => model.ways.find((w) => w.id === values[WAY_KEY]) ?? model.ways[0];

const inPlay = (field: Field, way: Way | undefined) => field.ways.length === 0 || (way !== undefined && field.ways.includes(way.id));

/** The fields on screen for the chosen way: `main` in schema order, `advanced` folded away. */
export function shownFields(model: FormModel, values: FormValues): { main: Field[]; advanced: Field[] } {
  const way = chosenWay(model, values);
  return { main: model.fields.filter((f) => !f.advanced && inPlay(f, way)), advanced: model.fields.filter((f) => f.advanced) };
}

function toFieldValue(field: Field, v: unknown): FieldValue {
  if (field.kind === 'switch') return v === true || v === 'true';
  if (field.kind === 'tags') return Array.isArray(v) ? v.map(String) : [];
  if (v === undefined || v === null) return '';
  if (field.kind === 'json') return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  // A date stored as a timestamp (2024-01-31T00:00:00Z) would show as empty in a date input.
  if (field.kind === 'date' && typeof v === 'string') return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export type ValuesOptions = { config?: Record<string, unknown> | undefined; secretsStored?: readonly string[] | undefined };

/**
 * The form's starting values: the stored config when editing, else the schema's defaults.
 * Secrets are never pre-filled (the API only has a mask for them anyway). The way chosen is
 * the first one the values already complete, else the first.
 */
export function initialValues(model: FormModel, { config = {}, secretsStored = [] }: ValuesOptions = {}): FormValues {
  const values: FormValues = {};
  for (const field of model.fields) {
    const stored = field.secret || !Object.hasOwn(config, field.name) ? undefined : config[field.name];
    values[field.name] = toFieldValue(field, field.secret ? undefined : (stored ?? field.default));
  }
  const filled = (name: string) => secretsStored.includes(name) || isFilled(values[name]);
  const way = model.ways.find((w) => w.fields.every(filled)) ?? model.ways[0];
  if (way) values[WAY_KEY] = way.id;
  return values;
}

const isFilled = (v: FieldValue | undefined) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v.trim() !== '' : v !== undefined);

// Strict, so "0x10", "1e400" or "" are not quietly turned into numbers: text that is not a
// plain number is submitted as typed and validation names the problem ("must be a whole number").
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
function parseNumber(t: string): number | string {
  const n = NUMBER.test(t) ? Number(t) : Number.NaN;
  return Number.isFinite(n) ? n : t;
}
const numeric = (t: JsonType | undefined) => t === 'integer' || t === 'number';

/** The value to submit for one field, or undefined when it is empty. */
function submitted(field: Field, raw: FieldValue | undefined): unknown {
  switch (field.kind) {
    case 'switch':
      return raw === true; // off is an answer, not an empty field
    case 'tags': {
      const items = (Array.isArray(raw) ? raw : []).map((t) => t.trim()).filter((t) => t !== '');
      if (items.length === 0) return undefined;
      return numeric(field.itemType) ? items.map(parseNumber) : items;
    }
    case 'json': {
      const t = typeof raw === 'string' ? raw.trim() : '';
      if (t === '') return undefined;
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t; // validation says it must be written as JSON
      }
    }
    default: {
      const t = typeof raw === 'string' ? raw : '';
      // A password may really begin or end with a space; other text is trimmed.
      if (t.trim() === '' || (field.secret && t === SERVER_MASK)) return undefined;
      return numeric(field.type) ? parseNumber(t.trim()) : field.secret ? t : t.trim();
    }
  }
}

export type Mode = 'create' | 'edit';

/**
 * The config to send: the chosen way's fields and the common ones, numbers and JSON parsed.
 * Creating, empty fields are left out. Editing (a PATCH merges into what is stored), an empty
 * field and every field of the ways not chosen are sent as null, which clears them, except
 * an empty secret of the chosen way: left out, so the stored one is kept.
 */
export function buildConfig(model: FormModel, values: FormValues, mode: Mode): Record<string, unknown> {
  const way = chosenWay(model, values);
  const config: Record<string, unknown> = {};
  for (const field of model.fields) {
    const shown = inPlay(field, way);
    const value = shown ? submitted(field, values[field.name]) : undefined;
    if (value !== undefined) config[field.name] = value;
    else if (mode === 'edit' && !(shown && field.secret)) config[field.name] = null;
  }
  return config;
}

/** Where to send focus after a failed submit: the first field on screen with an error, else the form's own error. */
export function firstErrorField(model: FormModel, values: FormValues, errors: Readonly<Record<string, string>>): string | undefined {
  const { main, advanced } = shownFields(model, values);
  const field = [...main, ...advanced].find((f) => errors[f.name] !== undefined);
  if (field) return field.name;
  return errors[FORM_ERROR] !== undefined ? FORM_ERROR : undefined;
}

/** The names of the secrets a connector holds, from the API's `secrets: { name: { has_value } }`. */
export const storedSecretNames = (secrets: Record<string, { has_value: boolean }> | undefined): string[] =>
  Object.entries(secrets ?? {}).filter(([, s]) => s.has_value).map(([name]) => name);
