import { dereference, type Schema } from '@cfworker/json-schema';
import { checkSchemaNode } from './schema-check.js';

/** A connector's config JSON Schema as the catalog publishes it (meltano/settings-schema.ts). */
export type ConfigSchema = Record<string, unknown>;

/** A schema ready to validate with: checked and repaired (schema-check.ts), its `$ref`s resolved. */
export type CompiledSchema = {
  /** Our own copy, as checked; error locations point into it. */
  root: Schema;
  /** Every (sub)schema by absolute URI, as @cfworker/json-schema resolves `$ref`s. */
  lookup: Record<string, Schema | boolean>;
};

/**
 * A settings schema that cannot be used: only platform admins register plugins, so the
 * person filling in a connector cannot fix it; the message says what is wrong and where.
 */
export class InvalidSchemaError extends Error {
  override name = 'InvalidSchemaError';
  constructor(readonly problems: string[]) {
    super(`The settings description of this connector type cannot be used: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}.`);
  }
}

type Compiled = CompiledSchema | InvalidSchemaError;
// The web form keeps one schema object and validates on every keystroke: found by identity.
const byObject = new WeakMap<object, Compiled>();
// The server reads the schema from the catalog on every request, a new object each time: found by its text.
const byText = new Map<string, Compiled>();
const MAX_TEXTS = 200;

/**
 * The schema checked and prepared once (the copy is cached by the schema object and by its
 * JSON text, so a schema read again from the database is not prepared again).
 * Throws InvalidSchemaError for a schema that is not a usable JSON Schema.
 *
 * @example
 * const compiled = compileSchema(plugin.configSchema); // throws InvalidSchemaError if malformed
 */
export function compileSchema(schema: ConfigSchema): CompiledSchema {
  // Typed as an object, but it comes from the database or the network.
  if (schema === null || typeof schema !== 'object') throw new InvalidSchemaError(['the schema must be an object describing the settings']);
  let compiled = byObject.get(schema);
  if (!compiled) {
    const text = JSON.stringify(schema);
    compiled = byText.get(text);
    if (compiled) byText.delete(text); // re-inserted below: the most recently used stays longest
    else compiled = prepare(text);
    byText.set(text, compiled);
    if (byText.size > MAX_TEXTS) byText.delete(byText.keys().next().value!);
    byObject.set(schema, compiled);
  }
  if (compiled instanceof InvalidSchemaError) throw compiled;
  return compiled;
}

/** What is wrong with a schema, in words; empty when it can be used. For checking a plugin when it is registered. */
export function schemaProblems(schema: unknown): string[] {
  try {
    const compiled = prepare(JSON.stringify(schema));
    return compiled instanceof InvalidSchemaError ? compiled.problems : [];
  } catch {
    return ['it is not JSON'];
  }
}

function prepare(text: string): Compiled {
  // A copy of our own (parsed from the text, so nothing the caller holds is shared): the
  // validator marks the schema objects it is given, and the checks repair some in place.
  const problems: string[] = [];
  const root = checkSchemaNode(JSON.parse(text) as unknown, [], problems);
  if (problems.length > 0) return new InvalidSchemaError(problems);
  if (typeof root === 'boolean') return new InvalidSchemaError(['the schema must be an object describing the settings']);
  let lookup: CompiledSchema['lookup'];
  try {
    lookup = dereference(root as Schema);
  } catch (error) {
    return new InvalidSchemaError([error instanceof Error ? error.message : String(error)]);
  }
  const unresolved = refsOf(root).filter((ref) => lookup[ref.absolute] === undefined);
  if (unresolved.length > 0) return new InvalidSchemaError(unresolved.map((ref) => `"$ref": "${ref.written}" points to a schema it does not define (only $defs within the schema can be used)`));
  const loop = inPlaceLoop(lookup);
  if (loop) return new InvalidSchemaError([`the schema at "${loop}" leads back to itself (through $ref, allOf, anyOf or oneOf) without going into the value, so no value could ever be checked`]);
  return { root: root as Schema, lookup };
}

// Keywords that apply a subschema to the same value; a cycle of them never ends.
const IN_PLACE_ONE = ['not', 'if', 'then', 'else'];
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'];

/** Where a chain of in-place subschemas comes back to where it started (`#/properties/a`), if it does. */
function inPlaceLoop(lookup: CompiledSchema['lookup']): string | undefined {
  const state = new Map<object, 'open' | 'done'>();
  const next = (node: Record<string, unknown>): unknown[] => [
    ...(typeof node.__absolute_ref__ === 'string' ? [lookup[node.__absolute_ref__]] : []),
    ...IN_PLACE_ONE.map((k) => node[k]),
    ...IN_PLACE_LISTS.flatMap((k) => (Array.isArray(node[k]) ? (node[k] as unknown[]) : [])),
  ];
  const visit = (node: unknown): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    const seen = state.get(node);
    if (seen === 'open') return String((node as Schema).__absolute_uri__ ?? '').replace(/^[^#]*/, '') || '#';
    if (seen === 'done') return undefined;
    state.set(node, 'open');
    for (const n of next(node as Record<string, unknown>)) {
      const loop = visit(n);
      if (loop) return loop;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of Object.values(lookup)) {
    const loop = visit(node);
    if (loop) return loop;
  }
  return undefined;
}

/** Every `$ref` in the schema, as written and as the validator resolved it (dereference marks `__absolute_ref__`). */
function refsOf(node: unknown, found: Array<{ written: string; absolute: string }> = []) {
  if (Array.isArray(node)) for (const item of node) refsOf(item, found);
  else if (node !== null && typeof node === 'object') {
    const { $ref, __absolute_ref__ } = node as { $ref?: unknown; __absolute_ref__?: unknown };
    if (typeof $ref === 'string') found.push({ written: $ref, absolute: typeof __absolute_ref__ === 'string' ? __absolute_ref__ : $ref });
    for (const [key, value] of Object.entries(node)) if (!['enum', 'const', 'default', 'examples'].includes(key)) refsOf(value, found);
  }
  return found;
}
