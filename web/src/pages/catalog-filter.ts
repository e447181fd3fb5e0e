import type { Plugin } from '../types.js';

type Listed = Pick<Plugin, 'kind' | 'label' | 'description' | 'category'>;

/**
 * The sources of the catalog by name as people read it (the API lists by plugin name:
 * tap-s3-csv would file Amazon S3 under T). A label comes before its longer variants, so the
 * default "PostgreSQL" is met before "PostgreSQL (change log)".
 */
export const sourcesByLabel = <P extends Listed>(catalog: P[]): P[] => catalog.filter((p) => p.kind === 'extractor').sort((a, b) => a.label.localeCompare(b.label));

/**
 * Those of `sources` in `category` ('all': any) whose label, description or category holds the words typed.
 *
 * @example
 * matchingSources(sourcesByLabel(catalog), 'postgre', 'all').map((p) => p.label) // ['PostgreSQL', 'PostgreSQL (change log)']
 */
export function matchingSources<P extends Listed>(sources: P[], words: string, category: string): P[] {
  const needle = words.trim().toLowerCase();
  return sources.filter((p) => (category === 'all' || p.category === category) && (needle === '' || `${p.label} ${p.description} ${p.category}`.toLowerCase().includes(needle)));
}
