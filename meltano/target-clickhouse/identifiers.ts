import { createHash } from 'node:crypto';

/**
 * Maps a Singer stream or property name to a ClickHouse identifier deterministically:
 * characters outside [A-Za-z0-9_] become `_`, a leading digit gets a `_` prefix, and names
 * that had to change or are too long get a short hash suffix so two different source
 * names can never land in one column.
 *
 * @example
 * safeName('public-orders') // 'public_orders_3c1f0a'
 */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  const base = /^[0-9]/.test(cleaned) || cleaned === '' ? `_${cleaned}` : cleaned;
  if (base === name && base.length <= 120) return base;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${base.slice(0, 113)}_${hash}`;
}

/** Table names read better without a hash; tap stream ids like `public-orders` map to `public_orders`. */
export function tableName(prefix: string, stream: string): string {
  const cleaned = stream.replace(/[^A-Za-z0-9_]/g, '_');
  const readable = /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
  // Only the `-`/`.` → `_` mapping is common; anything stranger gets a hash to stay unique.
  const plain = stream.replace(/[-.]/g, '_') === cleaned && readable.length <= 120;
  return prefix + (plain ? readable : safeName(stream));
}

/** Quotes an identifier for ClickHouse SQL. Backslashes and backticks are escaped, so nothing breaks out. */
export function quoteIdent(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** Quotes a string literal for ClickHouse SQL. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
