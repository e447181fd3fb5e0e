/**
 * What a run stores comes from third-party processes (stream names, error text, preview
 * records, the loader's report) and may hold U+0000 or lone UTF-16 surrogates, which
 * Postgres refuses in text and jsonb: one bad character would fail the run's final write
 * and leave it "running" for ever. Every run-row write goes through `storable` first.
 */
const MAX_DEPTH = 64;

/** A string Postgres takes: U+0000 and lone surrogates become U+FFFD. */
export const storableText = (text: string) => text.replaceAll('\u0000', '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/**
 * A copy of `value` with every string (keys too) made storable; dates and other
 * non-plain objects are kept as they are, nesting past 64 levels is cut.
 *
 * @example
 * storable({ 'bad\u0000stream': 3 }) // { 'bad\uFFFDstream': 3 }
 */
export function storable<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '(nested too deep to store)' as T;
  if (Array.isArray(value)) return value.map((v: unknown) => storable(v, depth + 1)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storable(v, depth + 1)])) as T;
}
