import type { Schema } from '@cfworker/json-schema';
import type { CompiledSchema } from './compile.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isEmpty = (v: unknown) => v === null || v === undefined || v === '';
// Defined, not assigned: a key named `__proto__` (JSON.parse makes it an own key) must stay a key, not become the prototype.
const put = (target: Json, key: string, value: unknown) => Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/**
 * The config as it is judged: an empty or null value is no value (null clears a setting on
 * edit; an empty box is not an answer), at any depth; a setting with a default, or a stored
 * secret listed in `present` and not cleared, counts as given. Those stand-ins only satisfy
 * `required`: problems found in them are not the person's to fix, so their paths are
 * returned to leave out. The caller's config is not changed.
 */
export function judgedConfig(compiled: CompiledSchema, config: Json, present: readonly string[]) {
  const data = withoutEmpties(config) as Json;
  const standIns = new Set<string>();
  for (const name of present) {
    if (Object.hasOwn(data, name) || Object.hasOwn(config, name)) continue;
    put(data, name, true);
    standIns.add(pathKey([name]));
  }
  fillDefaults(compiled, compiled.root, data, [], standIns);
  return { data, standIns };
}

/** A path as one string (JSON Pointer escaping, so `a.b` and `a`/`b` stay apart). */
export const pathKey = (path: readonly string[]) => path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function withoutEmpties(value: unknown): unknown {
  // The validator refuses `undefined`; in a list it stands where JSON would write null.
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : withoutEmpties(v)));
  if (!isObject(value)) return value;
  const kept: Json = {};
  for (const [key, v] of Object.entries(value)) if (!isEmpty(v)) put(kept, key, withoutEmpties(v));
  return kept;
}

function resolved(compiled: CompiledSchema, node: unknown, depth = 0): Schema | undefined {
  if (!isObject(node)) return undefined;
  const ref = (node as Schema).__absolute_ref__;
  // A $ref is followed unless the schema has properties of its own beside it (then those are the ones read here).
  if (typeof ref === 'string' && !isObject((node as Schema).properties) && depth < 20) return resolved(compiled, compiled.lookup[ref], depth + 1);
  return node as Schema;
}

/** Defaults of the plain `properties` of objects the config gives (not inside anyOf/oneOf: which one applies is not known yet). */
function fillDefaults(compiled: CompiledSchema, node: unknown, value: unknown, path: string[], standIns: Set<string>) {
  const schema = resolved(compiled, node);
  if (!schema) return;
  if (isObject(value) && isObject(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      const p = resolved(compiled, property);
      if (!Object.hasOwn(value, name) && p && p.default !== undefined && p.default !== null && p.default !== '') {
        put(value, name, structuredClone(p.default));
        standIns.add(pathKey([...path, name]));
      } else if (Object.hasOwn(value, name)) fillDefaults(compiled, property, value[name], [...path, name], standIns);
    }
  }
  if (Array.isArray(value) && isObject(schema.items)) value.forEach((item, i) => fillDefaults(compiled, schema.items, item, [...path, String(i)], standIns));
}
