import type { DiscoveredStream, ReplicationMethod, SyncMode } from '../../db/schema/index.js';
import type { Catalog, CatalogEntry } from '../../meltano/catalog-selection.js';
import { logBasedNameProblem } from '../../meltano/log-based.js';
import { LOG_BASED_LABEL } from '../../meltano/log-based-source.js';
import { syncModeText } from './sync-modes.js';

/**
 * What each stream of a source offers a pipeline, read from the tap's discovered catalog:
 * replication methods, candidate replication keys (best first), sync modes in plain words,
 * and a sensible default. Built whenever it is read, from the stored catalog and the
 * plugin's capabilities as meltano.yml declares them now.
 *
 * @example
 * streamsOf(catalog, ['catalog', 'discover', 'log-based'])[0].default // { sync_mode: 'incremental_deduped', replication_key: 'updated_at' }
 */
export function streamsOf(catalog: Pick<Catalog, 'streams'>, capabilities: readonly string[] = []): DiscoveredStream[] {
  return (Array.isArray(catalog.streams) ? catalog.streams : []).map((entry) => offersOf(entry, capabilities));
}

type Schema = Record<string, unknown>;

/** A property's schema and the schemas it may be (`anyOf`/`oneOf`), each with its types. */
function variants(schema: unknown): Array<{ types: string[]; format: unknown }> {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Schema;
  const own = { types: Array.isArray(s.type) ? s.type.filter((t): t is string => typeof t === 'string') : typeof s.type === 'string' ? [s.type] : [], format: s.format };
  const members = [s.anyOf, s.oneOf].flatMap((list) => (Array.isArray(list) ? list.flatMap(variants) : []));
  return [own, ...members];
}

type KeyKind = 'date-time' | 'date' | 'integer';

/** What kind of replication key a column could be: a time, a date or a whole number; none for anything else. */
export function keyKindOf(schema: unknown): KeyKind | undefined {
  const all = variants(schema);
  if (all.some((v) => v.types.includes('string') && v.format === 'date-time')) return 'date-time';
  if (all.some((v) => v.types.includes('string') && v.format === 'date')) return 'date';
  if (all.some((v) => v.types.includes('integer'))) return 'integer';
  return undefined;
}

/** Names that say "when this row last changed". */
const CHANGED_AT = /updated|modified|changed|modstamp/i;

/** Columns that can tell new and changed rows, the best first: change times, other times, dates, whole-number keys, other whole numbers. */
export function candidateKeys(properties: Record<string, unknown>, keyProperties: string[]): string[] {
  const rank = (name: string, kind: KeyKind) => {
    if (kind !== 'integer' && CHANGED_AT.test(name)) return 0;
    if (kind === 'date-time') return 1;
    if (kind === 'date') return 2;
    return keyProperties.includes(name) ? 3 : 4;
  };
  return Object.entries(properties)
    .flatMap(([name, schema], order) => {
      const kind = keyKindOf(schema);
      return kind ? [{ name, order, rank: rank(name, kind) }] : [];
    })
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map((c) => c.name);
}

const METHODS: readonly ReplicationMethod[] = ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'];
const isMethod = (value: unknown): value is ReplicationMethod => METHODS.includes(value as ReplicationMethod);
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);

function offersOf(entry: CatalogEntry, capabilities: readonly string[]): DiscoveredStream {
  const top = entry.metadata?.find((m) => Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0)?.metadata ?? {};
  const properties = (entry.schema?.properties ?? {}) as Record<string, unknown>;
  const keyProperties = strings(top['table-key-properties']) ?? strings(entry.key_properties) ?? [];
  const fromTap = strings(top['valid-replication-keys']) ?? [];
  const replicationKeys = fromTap.length > 0 ? fromTap : candidateKeys(properties, keyProperties);
  const forced = top['forced-replication-method'];
  const methods: ReplicationMethod[] = isMethod(forced)
    ? [forced]
    : METHODS.filter((m) => m === 'FULL_TABLE' || (m === 'INCREMENTAL' ? replicationKeys.length > 0 : capabilities.includes('log-based') && readsChangeLog(entry, top, keyProperties)));
  const modes: SyncMode[] = [];
  if (methods.includes('FULL_TABLE')) modes.push('full_refresh_overwrite', 'full_refresh_append');
  if (methods.includes('INCREMENTAL') || methods.includes('LOG_BASED')) modes.push('incremental_append', ...(keyProperties.length > 0 ? (['incremental_deduped'] as const) : []));
  return {
    stream: entry.tap_stream_id ?? entry.stream ?? '',
    properties,
    key_properties: keyProperties,
    replication_keys: replicationKeys,
    replication_methods: methods,
    sync_modes: modes.map((mode) => ({ sync_mode: mode, ...syncModeText[mode] })),
    default: defaultOf(modes, methods, replicationKeys, properties),
  };
}

/**
 * Whether a table's changes can be read from the database's change log: it needs a primary key
 * (a delete carries nothing else), must be a table (a view has no log of its own), and its
 * schema and table names must be ones wal2json's table filter takes (no space, plain ASCII).
 */
function readsChangeLog(entry: CatalogEntry, top: Record<string, unknown>, keyProperties: string[]): boolean {
  if (keyProperties.length === 0 || entry.is_view === true) return false;
  const schema = typeof top['schema-name'] === 'string' ? top['schema-name'] : '';
  const table = typeof entry.table_name === 'string' ? entry.table_name : (entry.tap_stream_id ?? entry.stream ?? '');
  return logBasedNameProblem(schema, table) === undefined;
}

/**
 * Why a stream does not offer reading its changes from the change log, in plain words, for
 * refusing LOG_BASED where it was asked for. Told from what the stream view keeps (its name,
 * which holds the schema and table names, and its primary key).
 */
export function whyNoChangeLog(offer: Pick<DiscoveredStream, 'stream' | 'key_properties'>): string {
  if (offer.key_properties.length === 0) return 'it has no primary key, which reading the change log needs (a deleted row is known by its key)';
  if (/\s/.test(offer.stream)) return 'its name contains a space, which the change log reader cannot take';
  if (/[^\x21-\x7e]/.test(offer.stream)) return 'its name contains characters beyond plain ASCII, which the change log reader cannot take';
  return `this source does not offer reading its change log for it (a view, or a source not added as “${LOG_BASED_LABEL}”)`;
}

/** Keep the latest version of each row, on a change time, where the stream has both; otherwise replace all data. */
function defaultOf(modes: SyncMode[], methods: ReplicationMethod[], keys: string[], properties: Record<string, unknown>): DiscoveredStream['default'] {
  const best = keys[0];
  const changeTime = best !== undefined && CHANGED_AT.test(best) && keyKindOf(properties[best]) === 'date-time';
  if (modes.includes('incremental_deduped') && methods.includes('INCREMENTAL') && changeTime) return { sync_mode: 'incremental_deduped', replication_key: best };
  if (modes.includes('full_refresh_overwrite')) return { sync_mode: 'full_refresh_overwrite' };
  // A tap that forces incremental reading: its own first key, or its change log.
  const mode = modes.includes('incremental_deduped') ? 'incremental_deduped' : 'incremental_append';
  return methods.includes('INCREMENTAL') && best !== undefined ? { sync_mode: mode, replication_key: best } : { sync_mode: mode, replication_method: 'LOG_BASED' };
}
