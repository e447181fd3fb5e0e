/**
 * Checks a settings JSON Schema before it is used, and repairs the few slips real Singer
 * taps publish, so the validator never stumbles on it halfway through a request.
 *
 * Refused (listed as problems, in words naming where): a subschema that is not a schema, a
 * keyword of the wrong shape (`required: "host"`, `type: "int"`, `properties: []`),
 * a `patternProperties` pattern JavaScript cannot read. Repaired: a JSON type name where a
 * subschema belongs (tap-postgres's `anyOf: [..., "null"]` means `{ "type": "null" }`),
 * draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum`, and a `pattern` JavaScript cannot
 * read (taps write Python regular expressions): that check is left to the tap itself.
 * Unknown keywords and formats are left alone; the validator ignores them.
 *
 * Works in place on a copy the caller owns.
 */
export type SchemaNode = Record<string, unknown> | boolean;

const JSON_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object', 'null']);
const ONE_SCHEMA = ['additionalProperties', 'unevaluatedProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'contains', 'additionalItems', 'unevaluatedItems'];
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const NUMBERS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];
const COUNTS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains'];
const TEXTS = ['$ref', '$id', '$anchor', 'format', 'pattern'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const compiles = (pattern: string) => {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
};
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? (v.length === 0 ? 'an empty list' : 'a list') : typeof v === 'object' ? 'an object' : JSON.stringify(v));
/** `properties/port/type` → "properties.port.type"; the schema's top is "the top". */
const place = (at: string[]) => (at.length === 0 ? 'the top of the schema' : `"${at.join('.')}"`);

/** Returns the node to use in place of `node` (a repaired one, or `true` after a problem is listed). */
export function checkSchemaNode(node: unknown, at: string[], problems: string[]): SchemaNode {
  if (typeof node === 'boolean') return node;
  if (typeof node === 'string' && JSON_TYPES.has(node)) return { type: node };
  if (!isObject(node)) {
    problems.push(`${place(at)} must be a schema (an object), not ${describe(node)}`);
    return true;
  }
  const bad = (key: string, needs: string) => problems.push(`${place([...at, key])} must be ${needs}, not ${describe(node[key])}`);
  for (const [key, value] of Object.entries(node)) {
    if (ONE_SCHEMA.includes(key)) node[key] = checkSchemaNode(value, [...at, key], problems);
    else if (key === 'items') {
      // An array of schemas is draft-7's tuple form, which the validator still reads.
      if (Array.isArray(value)) node[key] = value.map((v, i) => checkSchemaNode(v, [...at, key, String(i)], problems));
      else node[key] = checkSchemaNode(value, [...at, key], problems);
    } else if (SCHEMA_LISTS.includes(key)) {
      if (!Array.isArray(value) || value.length === 0) bad(key, 'a non-empty list of schemas');
      else node[key] = value.map((v, i) => checkSchemaNode(v, [...at, key, String(i)], problems));
    } else if (SCHEMA_MAPS.includes(key)) {
      if (!isObject(value)) bad(key, 'an object of schemas');
      else for (const [name, sub] of Object.entries(value)) value[name] = checkSchemaNode(sub, [...at, key, name], problems);
      if (key === 'patternProperties' && isObject(value))
        for (const pattern of Object.keys(value)) if (!compiles(pattern)) problems.push(`${place([...at, key, pattern])} is not a regular expression JavaScript can read`);
    } else if (key === 'type') {
      const types = Array.isArray(value) ? value : [value];
      if (types.length === 0 || !types.every((t) => typeof t === 'string' && JSON_TYPES.has(t))) bad(key, `a JSON type (${[...JSON_TYPES].join(', ')}) or a list of them`);
    } else if (key === 'required') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) bad(key, 'a list of property names');
    } else if (key === 'enum') {
      if (!Array.isArray(value)) bad(key, 'a list of values');
    } else if (key === 'dependentRequired') {
      if (!isObject(value) || !Object.values(value).every((v) => Array.isArray(v) && v.every((n) => typeof n === 'string'))) bad(key, 'an object of lists of property names');
    } else if (key === 'dependencies') {
      if (!isObject(value)) bad(key, 'an object');
      else
        for (const [name, dep] of Object.entries(value))
          if (!(Array.isArray(dep) && dep.every((n) => typeof n === 'string'))) value[name] = checkSchemaNode(dep, [...at, key, name], problems);
    } else if (NUMBERS.includes(key)) {
      if (typeof value === 'boolean' && key.startsWith('exclusive')) exclusiveFromDraft4(node, key);
      else if (typeof value !== 'number' || !Number.isFinite(value)) bad(key, 'a number');
    } else if (COUNTS.includes(key)) {
      if (!isCount(value)) bad(key, 'a whole number, 0 or more');
    } else if (key === 'multipleOf') {
      if (typeof value !== 'number' || !(value > 0)) bad(key, 'a number above 0');
    } else if (key === 'uniqueItems') {
      if (typeof value !== 'boolean') bad(key, 'true or false');
    } else if (TEXTS.includes(key)) {
      if (typeof value !== 'string') bad(key, 'text');
      else if (key === 'pattern' && !compiles(value)) delete node[key];
    }
  }
  return node;
}

/** Draft 4 wrote `exclusiveMinimum: true` beside `minimum`; 2020-12 writes the bound itself. */
function exclusiveFromDraft4(node: Record<string, unknown>, key: string) {
  const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
  if (node[key] === true && typeof node[bound] === 'number') {
    node[key] = node[bound];
    delete node[bound];
  } else delete node[key];
}
