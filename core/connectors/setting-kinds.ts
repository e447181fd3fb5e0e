/**
 * Where a config holds values of a kind the policy polices (`x-kind` in the config schema:
 * `file` for a path on this server, `url-path` for text a plugin appends to a URL setting),
 * at any depth: a top-level setting, or a field of the objects in a list setting (tap-csv's
 * `files[].path`, tap-rest-api's `streams[].path`), as the setting's own JSON Schema marks
 * it. Only text values count: a field that may be text or an object (a stream's `schema`) is
 * a path only when it is text.
 */
export type SettingKind = 'file' | 'url-path';
export type Located = {
  /** Dotted, with list positions: `path`, `files.0.path`. Names the field in messages. */
  field: string;
  value: string;
  at: Array<string | number>;
};

type Schema = { 'x-kind'?: unknown; properties?: Record<string, unknown>; items?: unknown };
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function valuesOfKind(schema: Record<string, unknown>, config: Record<string, unknown>, kind: SettingKind): Located[] {
  const found: Located[] = [];
  const walk = (node: unknown, value: unknown, at: Array<string | number>) => {
    if (!isObject(node)) return;
    const s = node as Schema;
    if (s['x-kind'] === kind) {
      if (typeof value === 'string' && at.length > 0) found.push({ field: at.join('.'), value, at });
      return;
    }
    if (Array.isArray(value) && isObject(s.items)) value.forEach((item, i) => walk(s.items, item, [...at, i]));
    else if (isObject(value) && isObject(s.properties)) {
      for (const [key, sub] of Object.entries(s.properties)) if (Object.hasOwn(value, key)) walk(sub, value[key], [...at, key]);
    }
  };
  walk(schema, config, []);
  return found;
}

/** A copy of `config` with the value at `at` replaced; the original and its nested lists and objects are left as they are. */
export function withValueAt(config: Record<string, unknown>, at: ReadonlyArray<string | number>, value: unknown): Record<string, unknown> {
  const replace = (node: unknown, depth: number): unknown => {
    if (depth === at.length) return value;
    const key = at[depth]!;
    if (Array.isArray(node)) return node.map((item, i) => (i === key ? replace(item, depth + 1) : item));
    const object = isObject(node) ? node : {};
    return { ...object, [key]: replace(object[key as string], depth + 1) };
  };
  return replace(config, 0) as Record<string, unknown>;
}
