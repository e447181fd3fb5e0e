import { validate } from '@cfworker/json-schema';
import { compileSchema, InvalidSchemaError, type CompiledSchema, type ConfigSchema } from './config-validation/compile.js';
import { judgedConfig } from './config-validation/judged.js';
import { humanise } from './config-validation/words.js';
import { kept, problemSentence, problemsOf, segments, settingLabel, type Problem } from './config-validation/problems.js';

/**
 * Connector config validation, shared by the server (core/connectors, the connection test)
 * and the web form (web/src/forms/validate.ts): one JSON Schema (draft 2020-12), one
 * validator, one set of words.
 *
 * The validator is @cfworker/json-schema, which interprets the schema as it goes: no code is
 * generated (no `new Function`), so it runs under the web app's Content-Security-Policy
 * (`script-src 'self'`). This module and its parts (config-validation/) import nothing else,
 * nothing of Node's, so the browser can load them.
 *
 * What it keeps from connectors' rules: an empty or null value is no value; a setting with a
 * default, or a stored secret listed in `present`, counts as given; the config's `anyOf` of
 * `required` lists (Meltano's settings_group_validation) means alternative sets of required
 * settings, and the missing fields of the set closest to complete are the ones named.
 */
export { compileSchema, InvalidSchemaError, schemaProblems, type CompiledSchema, type ConfigSchema } from './config-validation/compile.js';
export { problemSentence, type Problem } from './config-validation/problems.js';
export { humanise, listOf } from './config-validation/words.js';

/** Messages keyed by setting (or by path into one: `streams.0.name`); `_` for the config as a whole. */
export type FieldErrors = Record<string, string[]>;

export type CheckOptions = {
  /** Settings that hold a value the config does not carry: the stored secrets an edit keeps. */
  present?: readonly string[] | undefined;
  /** Which of the alternative sets of required settings to point at (its index in `anyOf`), when the person chose one. */
  way?: string | number | undefined;
};

export type ConfigCheck = {
  problems: Problem[];
  /** The config completes none of the alternative sets of required settings (the schema's own `anyOf`). */
  incompleteSet: boolean;
};

// Enough to show; a config with thousands of bad items is not worded item by item.
const MAX_ERRORS = 2000;
const MAX_PROBLEMS = 100;

/**
 * Every problem of a config, in words. Throws InvalidSchemaError when the schema itself
 * cannot be used.
 *
 * @example
 * checkConfig(schema, { streams: [{}] }).problems
 * // [{ path: ['streams', '0', 'name'], labels: ['Streams', 'item 1', 'Name'], words: 'is required', keyword: 'required' }]
 */
export function checkConfig(schema: ConfigSchema, config: Record<string, unknown>, { present = [], way }: CheckOptions = {}): ConfigCheck {
  const compiled = compileSchema(schema);
  const { data, standIns } = judgedConfig(compiled, config, present);
  let errors;
  try {
    errors = validate(data, compiled.root, '2020-12', compiled.lookup, false).errors;
  } catch (error) {
    // What the checks before cannot see, such as `$ref`s that lead back to themselves forever.
    throw new InvalidSchemaError([`it could not be applied (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`]);
  }
  const sets = requiredSets(compiled);
  // The sets are judged below, all together, rather than alternative by alternative.
  const own = sets ? errors.filter((e) => segments(e.keywordLocation)[0] !== 'anyOf') : errors;
  const problems = problemsOf({ compiled, data }, own.slice(0, MAX_ERRORS));
  const given = (name: string) => Object.hasOwn(data, name);
  const incompleteSet = sets !== undefined && !sets.some((set) => set.every(given));
  if (sets && incompleteSet) {
    const missing = (set: string[]) => set.filter((name) => !given(name));
    const chosen = way !== undefined && way !== '' ? sets[Number(way)] : undefined;
    const target = chosen ?? [...sets].sort((a, b) => missing(a).length - missing(b).length)[0]!;
    for (const name of missing(target)) problems.push({ path: [name], labels: [settingLabel(compiled, name)], words: 'is required', keyword: 'required' });
  }
  return { problems: kept(problems, standIns).slice(0, MAX_PROBLEMS), incompleteSet };
}

/** The schema's `anyOf` when it lists alternative sets of required settings and nothing else. */
function requiredSets(compiled: CompiledSchema): string[][] | undefined {
  const anyOf = compiled.root.anyOf;
  if (!Array.isArray(anyOf)) return undefined;
  const sets = anyOf.map((a) => {
    const keys = typeof a === 'object' && a !== null ? Object.keys(a) : ['-'];
    const required = (a as { required?: unknown }).required;
    return Array.isArray(required) && keys.every((k) => ['required', 'title', 'description', '$comment'].includes(k)) ? required.map(String) : undefined;
  });
  return sets.every((s) => s !== undefined) ? sets : undefined;
}

/**
 * Validates a connector config against its plugin's settings schema: the server's answer,
 * `{ setting: ["is required"] }`. A top-level setting gets the rest of a sentence (the
 * web puts its label in front); a nested field gets a whole sentence saying where, keyed by
 * its path (`streams.0.name`: "Streams, item 1: Name is required"). Empty when valid.
 * Throws InvalidSchemaError when the schema itself cannot be used.
 *
 * `present` names settings that hold a value without being in `config` (stored secrets a
 * PATCH leaves as they are), so the required checks count them.
 */
export function validateConfig(schema: ConfigSchema, config: Record<string, unknown>, present: readonly string[] = []): FieldErrors {
  return fieldErrorsOf(checkConfig(schema, config, { present }).problems);
}

export function fieldErrorsOf(problems: readonly Problem[]): FieldErrors {
  // A Map: a field named `toString` must not find the inherited method of a plain object.
  const errors = new Map<string, string[]>();
  for (const p of problems) {
    const key = p.path.length === 0 ? '_' : p.path.join('.');
    errors.set(key, [...(errors.get(key) ?? []), p.path.length === 1 ? p.words : problemSentence(p)]);
  }
  return Object.fromEntries(errors);
}

/**
 * The setting a key of a validation answer is about: `port`, or `streams.0.name` (inside
 * `streams`). Setting names may hold dots (`ssh_tunnel.host`), so the longest name the
 * schema knows wins.
 */
export function settingOf(schema: ConfigSchema, key: string): string {
  const properties = schema.properties !== null && typeof schema.properties === 'object' ? schema.properties : {};
  const parts = key.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (Object.hasOwn(properties, candidate)) return candidate;
  }
  return key;
}

/** Field errors as one line to read: "Port must be a whole number; Streams, item 1: Name is required". */
export function fieldErrorsInWords(schema: ConfigSchema, fields: FieldErrors): string {
  let compiled: CompiledSchema | undefined;
  try {
    compiled = compileSchema(schema);
  } catch {
    // the labels are then the names made readable
  }
  const label = (key: string) => (compiled ? settingLabel(compiled, key) : humanise(key));
  return Object.entries(fields)
    .flatMap(([key, messages]) => messages.map((m) => (/^[A-Z]/.test(m) ? m : `${key === '_' ? 'The settings' : label(key)} ${m}`)))
    .join('; ');
}
