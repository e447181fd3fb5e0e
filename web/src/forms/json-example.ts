/**
 * An example value for a JSON Schema, for the settings the form can only offer as JSON text
 * (maps, lists of lists, mixed alternatives): people copy the shape rather than guess it.
 */
type Json = Record<string, unknown>;
const record = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const firstType = (t: unknown): string | undefined => (Array.isArray(t) ? t : [t]).find((x): x is string => typeof x === 'string' && x !== 'null');

const STRING_EXAMPLES: Record<string, string> = {
  date: '2024-01-31',
  'date-time': '2024-01-31T00:00:00Z',
  email: 'ana@example.com',
  uri: 'https://example.com',
};

// Deep enough to show the shape; deeper levels are left as "…" objects would only confuse.
const MAX_DEPTH = 4;

export function exampleOf(schema: unknown, depth = 0): unknown {
  const s = record(schema);
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v) => v !== null) ?? s.enum[0];
  if (s.default !== undefined && s.default !== null && !(typeof s.default === 'object' && Object.keys(s.default).length === 0)) return s.default;
  const alternatives = [s.oneOf, s.anyOf].find(Array.isArray) as unknown[] | undefined;
  if (alternatives) {
    const real = alternatives.find((a) => firstType(record(a).type) !== undefined || record(a).properties !== undefined);
    if (real !== undefined) return exampleOf(real, depth);
  }
  const type = firstType(s.type) ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  if (depth >= MAX_DEPTH && (type === 'object' || type === 'array')) return type === 'object' ? {} : [];
  switch (type) {
    case 'integer':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1.5;
    case 'boolean':
      return true;
    case 'array':
      return [exampleOf(s.items ?? { type: 'string' }, depth + 1)];
    case 'object': {
      const properties = Object.entries(record(s.properties));
      const required = Array.isArray(s.required) ? s.required : [];
      // The required properties, else the first two: an example, not the whole schema.
      const shown = properties.filter(([name]) => required.includes(name));
      const example: Json = Object.fromEntries((shown.length > 0 ? shown : properties.slice(0, 2)).map(([name, p]) => [name, exampleOf(p, depth + 1)]));
      const extra = s.additionalProperties;
      if (Object.keys(example).length === 0 && extra !== false) example.name = exampleOf(typeof extra === 'object' ? extra : { type: 'string' }, depth + 1);
      return example;
    }
    default:
      return STRING_EXAMPLES[String(s.format)] ?? 'text';
  }
}

/** The example as one line of JSON. */
export const exampleText = (schema: unknown) => JSON.stringify(exampleOf(schema));
