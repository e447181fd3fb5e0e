import type { Alternative, Field, FieldValue, FormValues, JsonType } from './field-types.js';
import { record } from './schema-node.js';

/**
 * One field's value both ways: from a stored (or default) setting to what its input holds,
 * and from what the input holds to the JSON sent — recursively, for the items of a list,
 * a group's fields and a choice's chosen alternative. Pure, as schema-fields.ts.
 */

/** What the API shows instead of a stored secret (core/connectors/service.ts); never a value to send back. */
export const SERVER_MASK = '********';
/** In a choice's value, the id of the alternative chosen ('' for none). Property names never start with `$` in the schemas we read, and the alternatives' ids are digits. */
export const CHOICE_KEY = '$choice';

export const isValues = (v: unknown): v is FormValues => v !== null && typeof v === 'object' && !Array.isArray(v);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A stored timestamp as a `datetime-local` input shows it: the person's own wall-clock time. */
export function toLocalInput(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const minutes = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() !== 0 ? `${minutes}:${pad(d.getSeconds())}` : minutes;
}

/** A `datetime-local` value (the person's time, no zone) as ISO 8601 in UTC (`…Z`); text that is not one is sent as typed, for validation to name. */
export function fromLocalInput(t: string): string {
  // Only the input's own shape: `new Date` would read other text in ways that differ between browsers.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(t)) return t;
  const d = new Date(t); // without a zone, ECMAScript reads a date-time as local time
  return Number.isNaN(d.getTime()) ? t : d.toISOString().replace(/\.000Z$/, 'Z');
}

/** The alternative a stored object was made with: its fixed values agree, then the fewest keys it does not know, the fewest required ones missing. */
export function matchingAlternative(alternatives: readonly Alternative[], stored: Record<string, unknown>): Alternative | undefined {
  const keys = Object.keys(stored);
  const scored = alternatives.map((a, order) => {
    const names = a.fields.map((f) => f.name);
    const disagrees = a.fields.some((f) => f.kind === 'const' && Object.hasOwn(stored, f.name) && stored[f.name] !== f.constValue);
    const unknown = keys.filter((k) => !names.includes(k)).length;
    const missing = a.fields.filter((f) => f.required && f.kind !== 'const' && !Object.hasOwn(stored, f.name)).length;
    return { a, rank: [disagrees ? 1 : 0, unknown, missing, order] };
  });
  scored.sort((x, y) => compareAt(x.rank, y.rank));
  return scored[0]?.a;
}
function compareAt(x: number[], y: number[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function choiceValue(field: Field, v: unknown): FormValues {
  const alternatives = field.alternatives ?? [];
  const stored = isValues(v) ? (v as Record<string, unknown>) : undefined;
  // Nothing stored: a required choice starts on its first alternative, an optional one on "Not set".
  const chosen = stored ? matchingAlternative(alternatives, stored) : field.required ? alternatives[0] : undefined;
  const values: FormValues = { [CHOICE_KEY]: chosen?.id ?? '' };
  for (const a of alternatives) values[a.id] = valuesOf(a.fields, a === chosen && stored ? stored : {});
  return values;
}

/** The values of an object's fields: stored where the object has them, else their defaults. */
export function valuesOf(fields: readonly Field[], stored: Record<string, unknown>): FormValues {
  return Object.fromEntries(fields.map((f) => [f.name, toFieldValue(f, Object.hasOwn(stored, f.name) ? stored[f.name] : f.default)]));
}

/** What a field's input holds for a stored value; undefined starts it empty (or at its first choice). */
export function toFieldValue(field: Field, v: unknown): FieldValue {
  switch (field.kind) {
    case 'switch':
      return v === true || v === 'true';
    case 'tags':
    case 'checks':
      return Array.isArray(v) ? v.map(String) : [];
    case 'list':
      return Array.isArray(v) ? v.map((item) => valuesOf(field.fields ?? [], record(item))) : [];
    case 'group':
      return valuesOf(field.fields ?? [], record(v));
    case 'choice':
      return choiceValue(field, v);
    case 'const':
      return ''; // never shown: the value sent is the schema's
    default:
  }
  if (v === undefined || v === null) return '';
  if (field.kind === 'json') return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  // A date stored as a timestamp (2024-01-31T00:00:00Z) would show as empty in a date input.
  if (field.kind === 'date' && typeof v === 'string') return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : v;
  if (field.kind === 'datetime') return toLocalInput(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (!isValues(a) || !isValues(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => same(a[k], b[k]));
}

/** Nothing changed from the defaults: an item added and left as it was, a group not filled in. */
export const untouched = (fields: readonly Field[], values: FormValues) => fields.every((f) => same(values[f.name] ?? toFieldValue(f, f.default), toFieldValue(f, f.default)));

// Strict, so "0x10", "1e400" or "" are not quietly turned into numbers: text that is not a
// plain number is submitted as typed and validation names the problem ("must be a whole number").
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
function parseNumber(t: string): number | string {
  const n = NUMBER.test(t) ? Number(t) : Number.NaN;
  return Number.isFinite(n) ? n : t;
}
const numeric = (t: JsonType | undefined) => t === 'integer' || t === 'number';

/** An object from its fields' values, empty ones left out. */
export function objectOf(fields: readonly Field[], values: FormValues): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const f of fields) {
    const v = submitted(f, values[f.name]);
    if (v !== undefined) object[f.name] = v;
  }
  return object;
}

/** The value to submit for one field, or undefined when it is empty. */
export function submitted(field: Field, raw: FieldValue | undefined): unknown {
  switch (field.kind) {
    case 'switch':
      return raw === true; // off is an answer, not an empty field
    case 'const':
      return field.constValue;
    case 'tags':
    case 'checks': {
      const items = (Array.isArray(raw) ? raw : []).filter((t): t is string => typeof t === 'string').map((t) => t.trim()).filter((t) => t !== '');
      if (items.length === 0) return undefined;
      return numeric(field.itemType) ? items.map(parseNumber) : items;
    }
    case 'list': {
      const fields = field.fields ?? [];
      const items = (Array.isArray(raw) ? raw : []).filter(isValues).filter((item) => !untouched(fields, item));
      return items.length > 0 ? items.map((item) => objectOf(fields, item)) : undefined;
    }
    case 'group': {
      const fields = field.fields ?? [];
      return isValues(raw) && !untouched(fields, raw) ? objectOf(fields, raw) : undefined;
    }
    case 'choice': {
      const chosen = isValues(raw) ? field.alternatives?.find((a) => a.id === raw[CHOICE_KEY]) : undefined;
      if (!chosen || !isValues(raw)) return undefined;
      const values = isValues(raw[chosen.id]) ? (raw[chosen.id] as FormValues) : {};
      // Choosing an alternative that asks nothing (or only fixed values) is an answer; one with fields left as they were is not yet.
      const asks = chosen.fields.filter((f) => f.kind !== 'const');
      if (asks.length > 0 && untouched(asks, values)) return undefined;
      return objectOf(chosen.fields, values);
    }
    case 'json': {
      const t = typeof raw === 'string' ? raw.trim() : '';
      if (t === '' || (field.secret && t === SERVER_MASK)) return undefined;
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t; // validation says it must be written as JSON
      }
    }
    case 'datetime': {
      const t = typeof raw === 'string' ? raw.trim() : '';
      return t === '' ? undefined : fromLocalInput(t);
    }
    default: {
      const t = typeof raw === 'string' ? raw : '';
      // A password may really begin or end with a space; other text is trimmed.
      if (t.trim() === '' || (field.secret && t === SERVER_MASK)) return undefined;
      return numeric(field.type) ? parseNumber(t.trim()) : field.secret ? t : t.trim();
    }
  }
}
