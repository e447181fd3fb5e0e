/**
 * Applies a pipeline's choices to a tap's discovered catalog, as Meltano's `select` and
 * `metadata` extras did: the chosen streams and all their properties `selected: true`
 * (properties the tap marks `inclusion: unsupported` stay out), every other stream
 * `selected: false`, and each chosen stream's replication method (FULL_TABLE, INCREMENTAL or
 * LOG_BASED) and key (INCREMENTAL only), both as Singer metadata (`replication-method`,
 * `replication-key`) and as the catalog entry's own fields, which Singer SDK taps read first.
 */
export type CatalogEntry = {
  tap_stream_id?: string;
  stream?: string;
  key_properties?: string[];
  replication_key?: string | null;
  replication_method?: string | null;
  schema?: { properties?: Record<string, unknown> };
  metadata?: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
  [key: string]: unknown;
};
export type Catalog = { streams?: CatalogEntry[]; [key: string]: unknown };
export type StreamChoice = { stream: string; replication_method?: 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED' | undefined; replication_key?: string | undefined };

export const streamIdOf = (entry: CatalogEntry) => entry.tap_stream_id ?? entry.stream ?? '';

function metadataAt(entry: CatalogEntry, breadcrumb: string[]): Record<string, unknown> {
  entry.metadata ??= [];
  const key = JSON.stringify(breadcrumb);
  let found = entry.metadata.find((m) => JSON.stringify(m.breadcrumb) === key);
  if (!found) {
    found = { breadcrumb, metadata: {} };
    entry.metadata.push(found);
  }
  return found.metadata;
}

export function selectStreams(catalog: Catalog, choices: StreamChoice[]): Catalog {
  const copy = structuredClone(catalog);
  const byStream = new Map(choices.map((c) => [c.stream, c]));
  for (const entry of copy.streams ?? []) {
    const choice = byStream.get(streamIdOf(entry));
    const top = metadataAt(entry, []);
    top.selected = choice !== undefined;
    if (!choice) continue;
    for (const property of Object.keys(entry.schema?.properties ?? {})) {
      const meta = metadataAt(entry, ['properties', property]);
      meta.selected = meta.inclusion !== 'unsupported';
    }
    if (choice.replication_method) {
      top['replication-method'] = choice.replication_method;
      entry.replication_method = choice.replication_method;
    }
    if (choice.replication_method === 'INCREMENTAL' && choice.replication_key) {
      top['replication-key'] = choice.replication_key;
      entry.replication_key = choice.replication_key;
    } else if (choice.replication_method === 'FULL_TABLE' || choice.replication_method === 'LOG_BASED') {
      // LOG_BASED reads the change log from its own position (the state's LSN), never a key.
      delete top['replication-key'];
      delete entry.replication_key;
    }
  }
  return copy;
}

/** The streams a pipeline asked for that the tap no longer offers. */
export function missingStreams(catalog: Catalog, choices: StreamChoice[]): string[] {
  const offered = new Set((catalog.streams ?? []).map(streamIdOf));
  return choices.map((c) => c.stream).filter((s) => !offered.has(s));
}
