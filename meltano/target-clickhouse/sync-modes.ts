import { quoteIdent } from './identifiers.js';

/**
 * How a stream's table is filled, as users know it from Airbyte:
 * - overwrite: each run loads a fresh copy beside the table and swaps it in at the end, so
 *   the table holds exactly the rows of the last complete run (full refresh – overwrite);
 * - append: every row of every run is kept (full refresh / incremental – append);
 * - deduped: one current row per key, the newest wins (incremental – deduped).
 */
export const SYNC_MODES = ['overwrite', 'append', 'deduped'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** What a stream gets when `stream_modes` does not name it: today's behaviour. */
export const defaultMode = (keyed: boolean): SyncMode => (keyed ? 'deduped' : 'append');

/**
 * The mode a stream is loaded in. Deduped needs keys to deduplicate on; a stream without
 * them is refused with a message saying what to choose instead.
 *
 * @example
 * modeFor({ orders: 'overwrite' }, 'orders', true) // 'overwrite'
 * modeFor({}, 'events', false) // 'append'
 */
export function modeFor(modes: Record<string, SyncMode>, stream: string, keyed: boolean): SyncMode {
  const mode = Object.hasOwn(modes, stream) ? modes[stream]! : defaultMode(keyed);
  if (mode === 'deduped' && !keyed) {
    throw new SyncModeError(`stream "${stream}" is set to keep one row per key (deduped), but the source gives it no key columns. Choose "append" or "overwrite" for it in stream_modes.`);
  }
  return mode;
}

/**
 * Whether ACTIVATE_VERSION deletes the rows of older versions: yes when deduped, and for
 * streams left to their default (what it always did); not when append was chosen (every row
 * is kept) nor in overwrite (the swap replaces the whole table anyway).
 */
export function dropsOlderVersions(modes: Record<string, SyncMode>, stream: string, mode: SyncMode): boolean {
  return mode === 'deduped' || (mode === 'append' && !Object.hasOwn(modes, stream));
}

export class SyncModeError extends Error {
  override name = 'SyncModeError';
}

/** The ClickHouse engine name a mode's table has (as `system.tables.engine` reports it). */
export function engineName(mode: SyncMode, keyed: boolean): string {
  // Overwrite keeps replays of a key within one run collapsed, as deduped does.
  return mode === 'deduped' || (mode === 'overwrite' && keyed) ? 'ReplacingMergeTree' : 'MergeTree';
}

/** `ENGINE = … ORDER BY …` for a mode's table, sorted by the tenant and key columns. */
export function engineClause(mode: SyncMode, orderColumns: string[], keyed: boolean): string {
  const order = orderColumns.length > 0 ? `(${orderColumns.map(quoteIdent).join(', ')})` : 'tuple()';
  const engine = engineName(mode, keyed) === 'ReplacingMergeTree' ? `ReplacingMergeTree(${quoteIdent('_sdc_sequence')})` : 'MergeTree';
  return `ENGINE = ${engine} ORDER BY ${order}`;
}

/**
 * Reads the `stream_modes` setting: an object, or its JSON text (Meltano may hand object
 * settings over as text in the environment). Returns a message for the first bad entry.
 */
export function parseStreamModes(value: unknown): { modes: Record<string, SyncMode> } | { error: string } {
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return { error: 'must be a JSON object like {"orders": "overwrite"}' };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { error: 'must be an object like {"orders": "overwrite"}' };
  const modes: Record<string, SyncMode> = {};
  for (const [stream, mode] of Object.entries(raw)) {
    if (!SYNC_MODES.includes(mode as SyncMode)) return { error: `gives stream "${stream}" the mode ${JSON.stringify(mode)}; use one of ${SYNC_MODES.join(', ')}` };
    modes[stream] = mode as SyncMode;
  }
  return { modes };
}
