import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import { buildConfig, chosenWay, FORM_ERROR, formModel, labelFor, type ConfigSchema, type FormModel, type FormValues, type Mode } from './schema-fields.js';
import { listOf } from './words.js';

/**
 * Checks a connector config against its catalog schema in the browser, with messages a
 * person can act on ("Port must be a whole number"), one per field, keyed by setting name;
 * FORM_ERROR (`_form`) holds what concerns the form as a whole. The server checks the
 * same schema again (meltano/config-validation.ts); serverFieldErrors words its answer alike.
 *
 * The check is @cfworker/json-schema, which interprets the schema as it goes: no code is
 * generated (no `new Function`), so it runs under the app's Content-Security-Policy
 * (`script-src 'self'`), and it checks the `date` and `email` formats itself.
 */
export type FieldErrors = Record<string, string>;
export type ValidateOptions = {
  /** Settings that hold a value the config does not carry: the stored secrets an edit keeps. */
  present?: readonly string[] | undefined;
  /** The way to connect the person chose (its id): a missing alternative points at its fields. */
  way?: string | undefined;
};

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const validators = new WeakMap<object, Validator>();

/** The schema's validator, built once per schema object. */
export function compileSchema(schema: ConfigSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    // A copy: the validator marks the schema objects it is given (non-enumerable `__absolute_uri__`),
    // and the caller's schema may be shared or frozen. Draft 2020-12, every error reported (no short circuit).
    validator = new Validator(structuredClone(schema) as Schema, '2020-12', false);
    validators.set(schema, validator);
  }
  return validator;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  boolean: 'must be on or off',
  string: 'must be text',
  array: 'must be a list',
  object: 'must be written as JSON, like {"key": "value"}',
  null: 'must be empty',
};

const FORMAT_WORDS: Record<string, string> = {
  date: 'must be a date like 2024-01-31',
  email: 'must be an email address like ana@example.com',
};

/**
 * The keywords that only announce a subschema failed ("Property "port" does not match
 * schema."): the subschema's own errors follow them and say what to fix.
 */
const WRAPPERS = new Set([
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'dependentSchemas',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  '$ref',
  '$recursiveRef',
  '$dynamicRef',
  'allOf',
  'if',
]);
// An alternative's own errors (`#/anyOf/1/required`): the anyOf (oneOf) error itself sums them up.
const IN_ALTERNATIVE = /\/(?:anyOf|oneOf)\/\d+(?:\/|$)/;

// cfworker points with URI fragments: `#/port`, `#/filter_schemas/0`, each segment an escaped JSON Pointer token, URI-encoded.
const segments = (location: string): string[] =>
  location
    .replace(/^#/, '')
    .split('/')
    .slice(1)
    .map((s) => {
      let token = s;
      try {
        token = decodeURIComponent(s);
      } catch {
        // not URI-encoded after all: keep it as written
      }
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });

/** What the schema says at an error's keywordLocation (`#/properties/port/maximum` → 65535), following local `$ref`s. */
function schemaAt(schema: ConfigSchema, keywordLocation: string): unknown {
  let node: unknown = schema;
  for (const segment of segments(keywordLocation)) {
    const ref = record(node).$ref;
    if (segment === '$ref' && typeof ref === 'string' && ref.startsWith('#')) node = schemaAt(schema, ref);
    else if (Array.isArray(node)) node = node[Number(segment)];
    else node = record(node)[segment];
  }
  return node;
}

function wordsFor(schema: ConfigSchema, model: FormModel, field: string, e: OutputUnit): string {
  const value = schemaAt(schema, e.keywordLocation);
  // The keyword's value in the words ("at least 1"); a value the schema does not show (a remote $ref) says less.
  const given = (words: (v: string) => string) => (value === undefined ? 'is not valid' : words(String(value)));
  switch (e.keyword) {
    case 'type':
      return TYPE_WORDS[(Array.isArray(value) ? strings(value) : [String(value)])[0] ?? ''] ?? 'is not valid';
    case 'enum': {
      const options = model.fields.find((x) => x.name === field)?.options ?? [];
      const labels = options.length > 0 ? options.map((o) => o.label) : (Array.isArray(value) ? value : []).map((v) => String(v));
      return labels.length > 0 ? `must be ${listOf(labels, 'or')}` : 'is not one of the choices';
    }
    case 'const':
      return given((v) => `must be ${v}`);
    case 'format':
      return FORMAT_WORDS[String(value)] ?? 'is not in the expected format';
    case 'minimum':
      return given((v) => `must be at least ${v}`);
    case 'maximum':
      return given((v) => `must be at most ${v}`);
    case 'exclusiveMinimum':
      return given((v) => `must be more than ${v}`);
    case 'exclusiveMaximum':
      return given((v) => `must be less than ${v}`);
    case 'multipleOf':
      return given((v) => `must be a multiple of ${v}`);
    case 'minLength':
      return given((v) => `must be at least ${v} characters long`);
    case 'maxLength':
      return given((v) => `must be at most ${v} characters long`);
    case 'minItems':
      return given((v) => `must have at least ${v} items`);
    case 'maxItems':
      return given((v) => `must have at most ${v} items`);
    case 'uniqueItems':
      return 'must not list an item twice';
    case 'pattern':
      return 'is not in the expected format';
    default:
      return 'is not valid';
  }
}

/**
 * The config as the server will judge it: empty and null values are no value (null clears a
 * setting on edit), and a setting with a default or a stored secret counts as given. Those
 * stand-ins only satisfy `required`; problems found in them are not the person's to fix.
 */
function judged(schema: ConfigSchema, config: Json, present: readonly string[]) {
  const properties = record(schema.properties);
  const data: Json = {};
  for (const [name, v] of Object.entries(config)) if (v !== null && v !== undefined && v !== '') data[name] = v;
  const standIns = new Set<string>();
  for (const [name, p] of Object.entries(properties)) {
    if (Object.hasOwn(data, name)) continue;
    const kept = present.includes(name) && !Object.hasOwn(config, name);
    const fallback = record(p).default;
    if (kept || fallback !== undefined) {
      data[name] = kept ? true : fallback;
      standIns.add(name);
    }
  }
  return { data, standIns };
}

/** The properties a root `required` error is about: named in its text (`...required property "host".`), else those of its list not given. */
function missingOf(schema: ConfigSchema, data: Json, e: OutputUnit): string[] {
  const named = /required property "(.*)"\.$/s.exec(e.error)?.[1];
  return named !== undefined ? [named] : strings(schemaAt(schema, e.keywordLocation)).filter((n) => !Object.hasOwn(data, n));
}

export function validateConfig(schema: ConfigSchema, config: Json, { present = [], way }: ValidateOptions = {}): FieldErrors {
  const model = formModel(schema);
  const { data, standIns } = judged(schema, config, present);
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  const formError = (sentence: string) => void (formErrors.includes(sentence) || formErrors.push(sentence));
  // One message per field: the first thing to fix.
  const add = (field: string, words: string) => void (errors[field] ??= `${labelFor(model, field)} ${words}`);
  let anyOfFailed = false;
  for (const e of compileSchema(schema).validate(data).errors) {
    if (WRAPPERS.has(e.keyword) || IN_ALTERNATIVE.test(e.keywordLocation)) continue;
    const path = segments(e.instanceLocation);
    const field = path[0];
    if (field === undefined) {
      // About the config as a whole.
      if (e.keyword === 'anyOf' && e.keywordLocation === '#/anyOf') anyOfFailed = true;
      else if (e.keyword === 'required') for (const name of missingOf(schema, data, e)) add(name, 'is required');
      else formError('These settings are not valid.');
    } else if (e.keyword === 'false' && path.length === 1) {
      // The `false` schema a property the connector does not have meets (`additionalProperties: false`).
      formError(`${labelFor(model, field)} is not a setting of this connection.`);
    } else if (!standIns.has(field)) {
      // Deeper than the field itself (an item of a list): name the field, not the item.
      add(field, path.length === 1 ? wordsFor(schema, model, field, e) : 'has a value that is not valid');
    }
  }
  if (anyOfFailed) {
    const groups = (Array.isArray(schema.anyOf) ? schema.anyOf : []).map((g) => strings(record(g).required));
    if (groups.length === 0 || groups.some((g) => g.length === 0)) formError('These settings are not valid.');
    else {
      const missing = (g: string[]) => g.filter((n) => !Object.hasOwn(data, n));
      // Point at the chosen way's missing fields, else at those of the way closest to complete (as the server does).
      const target = (way !== undefined ? groups[Number(way)] : undefined) ?? [...groups].sort((a, b) => missing(a).length - missing(b).length)[0] ?? [];
      for (const name of missing(target)) add(name, 'is required');
      formErrors.unshift(`Fill in either ${groups.map((g) => listOf(g.map((n) => labelFor(model, n)))).join(', or ')}.`);
    }
  }
  if (formErrors.length > 0) errors[FORM_ERROR] = formErrors.join(' ');
  return errors;
}

/**
 * The form's values checked as they would be submitted: the config buildConfig makes, the
 * stored secrets an edit keeps, the chosen way. Submit `config` when `errors` is empty.
 */
export function checkForm(schema: ConfigSchema, values: FormValues, mode: Mode, secretsStored: readonly string[] = []) {
  const model = formModel(schema);
  const config = buildConfig(model, values, mode);
  const way = chosenWay(model, values)?.id;
  const errors = validateConfig(schema, config, { present: mode === 'edit' ? secretsStored : [], way });
  return { config, errors };
}

type ServerDetail = { message?: unknown; fields?: unknown };

// Accepts the response body `{ error: {...} }`, its `error` object, or the Error web/src/api.ts throws (`detail`).
function detailOf(from: unknown): ServerDetail {
  const o = record(from);
  if (Object.hasOwn(o, 'error') && typeof o.error === 'object') return record(o.error);
  if (Object.hasOwn(o, 'detail')) return record(o.detail);
  if (from instanceof Error) return { message: from.message, ...record((from as Error & { detail?: unknown }).detail) };
  return o;
}

/** The setting a server key is about: `port`, `config.port`, or `config.filter_schemas.0` (a string inside it). Names may hold dots. */
function settingOf(model: FormModel, key: string): string {
  const name = key.startsWith('config.') ? key.slice('config.'.length) : key;
  const parts = name.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (model.fields.some((f) => f.name === candidate)) return candidate;
  }
  return name;
}

/**
 * The server's validation answer `{ error: { code, message, fields?: { name: [messages] } } }`
 * (server/errors.ts) in the form's words. The server keys by setting name and writes the
 * rest of a sentence ("is required"); a message already a sentence is kept as it is. Keys
 * the schema does not know (the connector's `name`) are kept for the page to show by its own
 * field; `_` and `config` (the body as a whole) go to FORM_ERROR, as does the message when no
 * field is named.
 */
export function serverFieldErrors(schema: ConfigSchema, from: unknown): FieldErrors {
  const model = formModel(schema);
  const detail = detailOf(from);
  const errors: FieldErrors = {};
  const formErrors: string[] = [];
  for (const [key, value] of Object.entries(record(detail.fields))) {
    const messages = (Array.isArray(value) ? value : [value]).filter((m): m is string => typeof m === 'string' && m !== '');
    const name = settingOf(model, key);
    const whole = name === '_' || name === '' || name === 'config';
    // The server writes for one setting ("contains a character..."): the subject must be singular.
    const label = whole ? 'One of the settings' : labelFor(model, name);
    const sentence = messages.map((m) => (/^[A-Z]/.test(m) ? m : `${label} ${m}`)).join('; ');
    if (sentence === '') continue;
    if (whole) formErrors.push(sentence);
    else errors[name] = sentence;
  }
  if (formErrors.length > 0) errors[FORM_ERROR] = formErrors.join(' ');
  else if (Object.keys(errors).length === 0 && typeof detail.message === 'string' && detail.message !== '') errors[FORM_ERROR] = detail.message;
  return errors;
}
