import type { Alternative, Field, FieldKind, FieldOption, JsonType } from './field-types.js';
import { exampleText } from './json-example.js';
import { humanise, listOf } from './words.js';

/**
 * One property of a config schema read as a form field — recursively, for a tap's own
 * schema fragments: a list of objects becomes a repeatable sub-form, oneOf/anyOf objects a
 * choice, an object with properties a group; what is richer still (maps, lists of lists,
 * mixed alternatives) a JSON text box with an example. Pure, as schema-fields.ts.
 */
type Json = Record<string, unknown>;
export const record = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

const JSON_TYPES: readonly string[] = ['string', 'integer', 'number', 'boolean', 'array', 'object'];
// `type` may be a list (`['string', 'null']`): the first real type counts; anything else falls back to text.
export const jsonType = (t: unknown): JsonType | undefined => (Array.isArray(t) ? t : [t]).find((x): x is JsonType => typeof x === 'string' && JSON_TYPES.includes(x));

/** How deep lists, choices and groups nest (a choice inside a list's items, not a list in that) before the form offers JSON text instead: deeper, a form is no longer one a person can follow. */
const MAX_DEPTH = 2;

const isNull = (s: Json) => s.type === 'null' || (Array.isArray(s.type) && s.type.length > 0 && s.type.every((t) => t === 'null'));
const alternativesOf = (p: Json): Json[] | undefined => {
  const list: unknown[] | undefined = Array.isArray(p.oneOf) ? p.oneOf : Array.isArray(p.anyOf) ? p.anyOf : undefined;
  // Some taps list a bare "null" among them: no schema at all, so nothing to offer.
  return list?.filter((a) => a !== null && typeof a === 'object' && !Array.isArray(a)).map(record).filter((a) => !isNull(a));
};
const withoutAlternatives = ({ oneOf: _o, anyOf: _a, ...rest }: Json): Json => rest;
const typeOf = (p: Json): JsonType | undefined => jsonType(p.type) ?? (p.properties !== undefined ? 'object' : p.items !== undefined ? 'array' : undefined);
const hasProperties = (p: Json) => Object.keys(record(p.properties)).length > 0;
const isObjectLike = (p: Json) => typeOf(p) === 'object' && hasProperties(p);
/** A map (`additionalProperties: {schema}`): keys the person makes up, which fields cannot offer. */
const isMap = (p: Json) => typeof p.additionalProperties === 'object' && p.additionalProperties !== null;

/** `anyOf: [X, {type: 'null'}]` is X that may be left empty: read it as X, the outer title and help on top. */
function unwrapNullable(p: Json): Json {
  const alternatives = alternativesOf(p);
  if (alternatives?.length !== 1) return p;
  return { ...alternatives[0], ...withoutAlternatives(p) };
}

// "Files" → "file", "Repositories" → "repository", "SSH keys" → "SSH key", "Reports list" → "report"; else "<label> item".
export function singular(label: string): string {
  const named = label.replace(/\s+(list|array)$/i, '');
  const lower = /^[A-Z][A-Z]/.test(named) ? named : named.charAt(0).toLowerCase() + named.slice(1);
  if (/ies$/.test(lower)) return lower.replace(/ies$/, 'y');
  if (/(ss|x|ch|sh)es$/.test(lower)) return lower.replace(/es$/, '');
  if (/[^su]s$/.test(lower)) return lower.slice(0, -1);
  return `${lower} item`;
}

function limitsOf(p: Json, type: JsonType | undefined): string | undefined {
  if (type === 'integer' || type === 'number') {
    const min = typeof p.minimum === 'number' ? p.minimum : undefined;
    const max = typeof p.maximum === 'number' ? p.maximum : undefined;
    if (min !== undefined && max !== undefined) return `From ${min} to ${max}.`;
    if (min !== undefined) return `At least ${min}.`;
    if (max !== undefined) return `At most ${max}.`;
    if (typeof p.exclusiveMinimum === 'number') return `More than ${p.exclusiveMinimum}.`;
    return undefined;
  }
  if (type === 'string' && typeof p.maxLength === 'number') return `Up to ${p.maxLength} characters.`;
  return undefined;
}

const SCALAR_WORDS: Record<string, string> = { string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true/false' };

/**
 * What a box for mixed alternatives takes, in words, when each is plain ("A number, text or
 * true/false"), or a list of plain values (written as JSON). Undefined when one is an object.
 */
function acceptsOf(alternatives: Json[]): string | undefined {
  const words: string[] = [];
  for (const a of alternatives) {
    const type = typeOf(a) ?? (a.const !== undefined || Array.isArray(a.enum) ? 'string' : undefined);
    const item = typeOf(unwrapNullable(record(a.items)));
    const word = type === 'array' && (item === undefined || SCALAR_WORDS[item] !== undefined) ? `a list written as JSON, like ${exampleText(a)}` : type !== undefined ? SCALAR_WORDS[type] : undefined;
    if (word === undefined) return undefined;
    if (!words.includes(word)) words.push(word);
  }
  const sentence = listOf(words, 'or');
  return sentence === '' ? undefined : `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

function optionsOf(p: Json): FieldOption[] {
  const values: unknown[] = Array.isArray(p.enum) ? p.enum.filter((v) => v !== null) : [];
  const labels: unknown[] = Array.isArray(p['x-enum-labels']) ? p['x-enum-labels'] : [];
  return values.map((v, i) => ({ value: String(v), label: text(labels[i]) ?? String(v) }));
}

type Parts = Pick<Field, 'kind'> & Partial<Pick<Field, 'fields' | 'itemNoun' | 'maxItems' | 'alternatives' | 'example' | 'accepts' | 'constValue'>>;

function partsOf(p: Json, label: string, required: boolean, secret: boolean, depth: number): Parts {
  const type = typeOf(p);
  const alternatives = alternativesOf(p);
  if (p.const !== undefined) return { kind: 'const', constValue: p.const };
  // A required choice of one value (a discriminator, `enum: ['oauth']`) is that value, not a question.
  if (required && Array.isArray(p.enum) && p.enum.length === 1) return { kind: 'const', constValue: p.enum[0] };
  if (alternatives && alternatives.length > 0) {
    if (depth < MAX_DEPTH && alternatives.every(isObjectLike)) return { kind: 'choice', alternatives: alternatives.map((a, i) => alternativeOf(p, a, i, depth)) };
    const accepts = acceptsOf(alternatives);
    return { kind: 'json', example: exampleText(p), ...(accepts !== undefined ? { accepts } : {}) };
  }
  if (type === 'boolean') return { kind: 'switch' };
  if (Array.isArray(p.enum) && p.enum.length > 0) return { kind: 'select' };
  if (type === 'array') {
    const items = unwrapNullable(record(p.items));
    const itemType = typeOf(items);
    if (alternativesOf(items)?.length) return { kind: 'json', example: exampleText(p) };
    if (Array.isArray(items.enum) && items.enum.length > 0) return { kind: 'checks' };
    if (itemType === undefined || itemType === 'string' || itemType === 'integer' || itemType === 'number') return { kind: 'tags' };
    if (depth < MAX_DEPTH && isObjectLike(items) && !isMap(items)) {
      const noun = text(items.title);
      return {
        kind: 'list',
        fields: fieldsOf(items, depth + 1),
        itemNoun: noun !== undefined ? singular(`${noun}s`) : singular(label),
        ...(typeof p.maxItems === 'number' ? { maxItems: p.maxItems } : {}),
      };
    }
    return { kind: 'json', example: exampleText(p) };
  }
  if (type === 'object') {
    if (depth < MAX_DEPTH && hasProperties(p) && !isMap(p)) return { kind: 'group', fields: fieldsOf(p, depth + 1) };
    return { kind: 'json', example: exampleText(p) };
  }
  if (secret) return { kind: 'secret' };
  if (type === 'integer' || type === 'number') return { kind: type };
  if (p.format === 'date') return { kind: 'date' };
  if (p.format === 'date-time') return { kind: 'datetime' };
  if (p.format === 'email') return { kind: 'email' };
  if (p.format === 'uri' || p.format === 'url') return { kind: 'url' };
  return { kind: 'text' };
}

/** An alternative's label: its title, else the value that tells it apart, else its fields. */
function alternativeLabel(a: Json, fields: Field[]): string {
  const title = text(a.title);
  if (title !== undefined) return title;
  const tag = fields.find((f) => f.kind === 'const' && typeof f.constValue === 'string');
  if (tag) return humanise(String(tag.constValue));
  const shown = fields.filter((f) => f.kind !== 'const');
  const named = shown.some((f) => f.required) ? shown.filter((f) => f.required) : shown;
  return listOf(named.slice(0, 3).map((f) => f.label)) || 'None';
}

function alternativeOf(outer: Json, a: Json, index: number, depth: number): Alternative {
  // Properties the object has whichever alternative is chosen come first.
  const merged = { properties: { ...record(outer.properties), ...record(a.properties) }, required: [...strings(outer.required), ...strings(a.required)] };
  const fields = fieldsOf(merged, depth + 1);
  return { id: String(index), label: alternativeLabel(a, fields), fields };
}

/**
 * Properties in the order a person fills them: the required ones as `required` lists them,
 * then the rest in schema order. Not only good form design: the catalog keeps schemas in
 * `jsonb`, which sorts an object's keys by length, and arrays are all that keep an order.
 */
export function ordered<T>(entries: Array<[string, T]>, rank: (name: string) => number[]): Array<[string, T]> {
  const keyed = entries.map((entry, index) => ({ entry, key: [...rank(entry[0]), index] }));
  keyed.sort((a, b) => {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) if (a.key[i] !== b.key[i]) return (a.key[i] ?? -1) - (b.key[i] ?? -1);
    return 0;
  });
  return keyed.map((k) => k.entry);
}

/** The fields of an object schema (a list's item, an alternative, a group), required ones first. */
function fieldsOf(object: Json, depth: number): Field[] {
  const required = strings(object.required);
  const entries = ordered(Object.entries(record(object.properties)), (name) => (required.includes(name) ? [0, required.indexOf(name)] : [1, 0]));
  return entries.map(([name, p]) => fieldOf(name, p, { required: required.includes(name), ways: [], advanced: false, depth }));
}

export type FieldContext = {
  required: boolean;
  ways: string[];
  advanced: boolean;
  depth: number;
  /** A top-level dotted setting's prefix (`ssh_tunnel`): its label leaves it out, the group's legend says it. */
  group?: string | undefined;
};

export function fieldOf(name: string, property: unknown, { required, ways, advanced, depth, group }: FieldContext): Field {
  const p = unwrapNullable(record(property));
  const type = typeOf(p);
  const itemType = typeOf(unwrapNullable(record(p.items)));
  // `secret` is how Singer SDK taps mark one in their own schemas.
  const secret = p['x-secret'] === true || p.writeOnly === true || p.secret === true;
  const help = text(p.description);
  const placeholder = text(p['x-placeholder']);
  const title = text(p.title);
  const label = title ?? humanise(group !== undefined ? name.slice(group.length + 1) : name);
  const mustFill = required || ways.length > 0;
  const hint = limitsOf(p, type);
  const parts = partsOf(p, label, mustFill, secret, depth);
  return {
    name,
    id: depth === 0 ? `field-${name}` : name,
    label,
    fullLabel: title ?? humanise(name),
    ...(help !== undefined ? { help } : {}),
    ...(hint !== undefined ? { hint } : {}),
    ...(placeholder !== undefined ? { placeholder } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(itemType !== undefined ? { itemType } : {}),
    secret,
    options: optionsOf(parts.kind === 'checks' ? unwrapNullable(record(p.items)) : p),
    ...(p.default !== undefined ? { default: p.default } : {}),
    required: mustFill,
    advanced: !mustFill && advanced,
    ways,
    ...(group !== undefined ? { group } : {}),
    ...parts,
  };
}
