/**
 * What a catalog (from `--catalog`/`--properties`) asks for, per the Singer spec: streams whose
 * top metadata says `selected` (or, lacking `selected`, `selected-by-default`), their selected
 * properties (`inclusion: automatic` always, `unsupported` never), and the replication method
 * and key from metadata (the entry's own fields as a fallback, as the Singer SDK reads them).
 * `listed`: every property the catalog names, selected or not; `wholeTable`: none of them was
 * deselected, so columns added to the table since the catalog was discovered are read too.
 */
export type StreamRequest = { stream: string; properties: string[]; listed: string[]; wholeTable: boolean; method: 'FULL_TABLE' | 'INCREMENTAL'; replicationKey: string | undefined };

type Meta = Record<string, unknown>;
type Entry = {
  tap_stream_id?: string;
  stream?: string;
  replication_method?: string | null;
  replication_key?: string | null;
  schema?: { properties?: Record<string, unknown> };
  metadata?: { breadcrumb?: unknown; metadata?: Meta }[];
};

const isSelected = (meta: Meta | undefined, fallback: boolean) =>
  meta === undefined ? fallback : typeof meta.selected === 'boolean' ? meta.selected : typeof meta['selected-by-default'] === 'boolean' ? meta['selected-by-default'] : fallback;

export function selectedStreams(catalog: unknown): StreamRequest[] {
  const streams = (catalog as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) throw new Error('the catalog has no "streams" list');
  const requests: StreamRequest[] = [];
  for (const entry of streams as Entry[]) {
    const id = entry.tap_stream_id ?? entry.stream;
    if (typeof id !== 'string') continue;
    const metaAt = new Map<string, Meta>();
    for (const m of entry.metadata ?? []) if (Array.isArray(m.breadcrumb) && m.metadata) metaAt.set(JSON.stringify(m.breadcrumb), m.metadata);
    const top = metaAt.get('[]');
    if (!isSelected(top, false)) continue;
    const listed = Object.keys(entry.schema?.properties ?? {});
    const properties = listed.filter((name) => {
      const meta = metaAt.get(JSON.stringify(['properties', name]));
      if (meta?.inclusion === 'automatic') return true;
      if (meta?.inclusion === 'unsupported') return false;
      return isSelected(meta, true);
    });
    const wholeTable = listed.every((name) => properties.includes(name) || metaAt.get(JSON.stringify(['properties', name]))?.inclusion === 'unsupported');
    const method = (top?.['replication-method'] ?? entry.replication_method ?? 'FULL_TABLE') as string;
    if (method !== 'FULL_TABLE' && method !== 'INCREMENTAL') throw new Error(`stream "${id}": replication method ${method} is not supported (use FULL_TABLE or INCREMENTAL)`);
    const key = (top?.['replication-key'] ?? entry.replication_key ?? undefined) as string | undefined;
    if (method === 'INCREMENTAL' && !key) throw new Error(`stream "${id}" is INCREMENTAL but names no replication key`);
    requests.push({ stream: id, properties, listed, wholeTable, method, replicationKey: method === 'INCREMENTAL' ? key : undefined });
  }
  return requests;
}
