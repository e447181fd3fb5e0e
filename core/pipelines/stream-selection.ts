import type { DiscoveredStream, ReplicationMethod, SelectedStream, SyncMode } from '../../db/schema/index.js';
import type { FieldErrors } from '../errors.js';
import { keyKindOf, whyNoChangeLog } from './stream-offers.js';
import { isIncremental, legacySyncMode, syncModeText } from './sync-modes.js';

/** A stream as a client sends it: a sync mode (or, from older clients, only a replication method). */
export type StreamInput = { stream: string; sync_mode?: SyncMode | undefined; replication_method?: ReplicationMethod | undefined; replication_key?: string | undefined };

const listed = (names: string[], max = 5) => names.slice(0, max).map((n) => `"${n}"`).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');
const label = (mode: SyncMode) => `"${syncModeText[mode].label}"`;

/**
 * A pipeline's streams as they are stored, and why any of them does not fit, per field
 * (`streams.<i>.stream`, `.sync_mode`, `.replication_key`, `.replication_method`). Checked
 * against the source's last discovery when there is one (`discovered`); without one only
 * what can be told from the request itself. Names are compared exactly, as the source spells
 * them: spaces, dots, quotes and any other character a table name can hold.
 *
 * @example
 * resolveStreams([{ stream: 'public-orders', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], discovered)
 * // { streams: [{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], errors: {} }
 */
export function resolveStreams(inputs: StreamInput[], discovered: DiscoveredStream[] | undefined): { streams: SelectedStream[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const byName = new Map((discovered ?? []).map((s) => [s.stream, s]));
  const seen = new Set<string>();
  const streams = inputs.map((input, i) => {
    const fail = (field: string, message: string) => void (errors[`streams.${i}.${field}`] ??= [message]);
    const found = byName.get(input.stream);
    if (discovered && !found) {
      fail(
        'stream',
        discovered.length === 0
          ? `"${input.stream}" is not a stream of this source: its last discovery found none. Run a discovery again if the source has changed.`
          : `"${input.stream}" is not a stream of this source (it has ${listed(discovered.map((s) => s.stream))}). Run a discovery again if the source has changed.`,
      );
    } else if (seen.has(input.stream)) fail('stream', `"${input.stream}" is chosen twice: choose each stream once.`);
    seen.add(input.stream);
    return resolveOne(input, found, fail);
  });
  return { streams, errors };
}

type Fail = (field: string, message: string) => void;

function resolveOne(input: StreamInput, found: DiscoveredStream | undefined, fail: Fail): SelectedStream {
  const mode = input.sync_mode ?? legacySyncMode(input.replication_method, (found?.key_properties.length ?? 0) > 0);
  if (found && !found.sync_modes.some((m) => m.sync_mode === mode)) {
    fail('sync_mode', notOffered(mode, found));
    return { stream: input.stream, sync_mode: mode, replication_method: isIncremental(mode) ? 'INCREMENTAL' : 'FULL_TABLE' };
  }
  if (!isIncremental(mode)) {
    if (input.replication_method && input.replication_method !== 'FULL_TABLE') {
      fail('replication_method', `${label(mode)} reads the whole table every time, so it takes no replication_method but FULL_TABLE. Leave it out, or choose ${label('incremental_append')} or ${label('incremental_deduped')}.`);
    }
    // A key means nothing to a full read: not kept, so switching modes in a form never fails on a leftover.
    return { stream: input.stream, sync_mode: mode, replication_method: 'FULL_TABLE' };
  }
  if (input.replication_method === 'FULL_TABLE') {
    fail('replication_method', `FULL_TABLE reads the whole table every time, which ${label(mode)} does not. Choose ${label('full_refresh_overwrite')} or ${label('full_refresh_append')}, or leave replication_method out.`);
  }
  if (input.replication_method === 'LOG_BASED') {
    if (found && !found.replication_methods.includes('LOG_BASED')) {
      fail('replication_method', `Changes of "${input.stream}" cannot be read from the database's change log: ${whyNoChangeLog(found)}. Choose a replication_key instead (${keysHint(found)}), or a full-refresh mode.`);
    }
    return { stream: input.stream, sync_mode: mode, replication_method: 'LOG_BASED' };
  }
  const key = input.replication_key;
  if (key === undefined) fail('replication_key', `${label(mode)} needs a column that tells new and changed rows apart, such as the time a row last changed. ${found ? `Choose one: ${keysHint(found)}.` : 'Name it in replication_key.'}`);
  else if (found) {
    const problem = keyProblem(key, found);
    if (problem) fail('replication_key', problem);
  }
  return { stream: input.stream, sync_mode: mode, replication_method: 'INCREMENTAL', ...(key !== undefined ? { replication_key: key } : {}) };
}

const keysHint = (found: DiscoveredStream) => (found.replication_keys.length > 0 ? `it offers ${listed(found.replication_keys)}` : 'it has no date, time or whole-number column');

/** A key must be a column, and one that grows as rows change: a time, a date or a whole number. */
function keyProblem(key: string, found: DiscoveredStream): string | undefined {
  if (!Object.hasOwn(found.properties, key)) return `"${key}" is not a column of "${found.stream}" (its columns: ${listed(Object.keys(found.properties), 8)}).`;
  if (found.replication_keys.includes(key) || keyKindOf(found.properties[key]) !== undefined) return undefined;
  return `"${key}" cannot tell which rows are new or changed: only a column holding a time, a date or a whole number that grows with each change can (${keysHint(found)}).`;
}

/** Why a stream does not offer a mode, and what to choose instead. */
function notOffered(mode: SyncMode, found: DiscoveredStream): string {
  const offered = found.sync_modes.map((m) => `"${m.label}"`).join(', ');
  if (mode === 'incremental_deduped' && found.sync_modes.some((m) => m.sync_mode === 'incremental_append')) {
    return `${label(mode)} needs a primary key to tell rows apart, and "${found.stream}" has none. Choose one of ${offered}.`;
  }
  if (isIncremental(mode)) return `"${found.stream}" cannot be read in parts: it has no column holding a time, a date or a whole number to tell new and changed rows by. Choose one of ${offered}.`;
  return `"${found.stream}" can only be read in parts (the source does not allow reading it whole). Choose one of ${offered}.`;
}
