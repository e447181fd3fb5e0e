/**
 * Changing how one table of a pipeline syncs, as pure functions: the choices a table offers,
 * the streams to PATCH, and the server's field errors put back at the table they name.
 */
import { fieldName, isIncremental } from './words.js';
import type { SelectedStream, StreamInput, StreamOffer, SyncMode } from './types.js';

/** Where new and changed rows are found: a column, the database's change log, or (not chosen yet) nowhere. */
export type KeyChoice = { kind: 'column'; column: string } | { kind: 'log' } | { kind: 'none' };
export type StreamEdit = { sync_mode: SyncMode; key: KeyChoice };

/** A <select>'s value for a key choice, and back. */
export const encodeKey = (key: KeyChoice) => (key.kind === 'column' ? `column:${key.column}` : key.kind);
export function decodeKey(value: string): KeyChoice {
  if (value.startsWith('column:')) return { kind: 'column', column: value.slice('column:'.length) };
  return value === 'log' ? { kind: 'log' } : { kind: 'none' };
}

/** The ways a table can find new rows: its candidate columns (the current one kept even if no longer offered) and the change log where it offers one. */
export function keyOptions(offer: Pick<StreamOffer, 'replication_keys' | 'replication_methods'> | undefined, current: Pick<SelectedStream, 'replication_method' | 'replication_key'>): Array<{ value: string; label: string }> {
  const columns = offer?.replication_methods.includes('INCREMENTAL') === false ? [] : [...(offer?.replication_keys ?? [])];
  if (current.replication_key && !columns.includes(current.replication_key)) columns.unshift(current.replication_key);
  const options = columns.map((column) => ({ value: encodeKey({ kind: 'column', column }), label: `By the column “${column}”` }));
  if (offer?.replication_methods.includes('LOG_BASED') || current.replication_method === 'LOG_BASED') options.push({ value: 'log', label: 'From the database’s change log' });
  return options;
}

/** What the editor opens on: the table's saved choice, or for a key not saved yet, what the source suggests. */
export function initialEdit(current: SelectedStream, offer: StreamOffer | undefined): StreamEdit {
  return { sync_mode: current.sync_mode, key: keyFor(current.sync_mode, current, offer) };
}

function keyFor(mode: SyncMode, current: Pick<SelectedStream, 'replication_method' | 'replication_key'>, offer: StreamOffer | undefined): KeyChoice {
  if (!isIncremental(mode)) return { kind: 'none' };
  if (current.replication_method === 'LOG_BASED') return { kind: 'log' };
  if (current.replication_key) return { kind: 'column', column: current.replication_key };
  if (offer?.default.replication_method === 'LOG_BASED') return { kind: 'log' };
  const byColumn = offer?.replication_methods.includes('INCREMENTAL') !== false;
  const suggested = byColumn ? (offer?.default.replication_key ?? offer?.replication_keys[0]) : undefined;
  if (suggested) return { kind: 'column', column: suggested };
  return offer?.replication_methods.includes('LOG_BASED') ? { kind: 'log' } : { kind: 'none' };
}

/** The edit after choosing another mode: an incremental mode gets a key (kept, or the suggested one). */
export function withMode(edit: StreamEdit, mode: SyncMode, current: SelectedStream, offer: StreamOffer | undefined): StreamEdit {
  if (!isIncremental(mode)) return { sync_mode: mode, key: { kind: 'none' } };
  if (edit.key.kind !== 'none') return { sync_mode: mode, key: edit.key };
  return { sync_mode: mode, key: keyFor(mode, current, offer) };
}

/** A saved table as PATCH takes it back, unchanged. */
export function asInput(s: SelectedStream): StreamInput {
  return {
    stream: s.stream,
    sync_mode: s.sync_mode,
    ...(isIncremental(s.sync_mode) && s.replication_method === 'LOG_BASED' ? { replication_method: 'LOG_BASED' as const } : {}),
    ...(isIncremental(s.sync_mode) && s.replication_method !== 'LOG_BASED' && s.replication_key ? { replication_key: s.replication_key } : {}),
  };
}

/** One table as the edit says. */
export function editedInput(stream: string, edit: StreamEdit): StreamInput {
  if (!isIncremental(edit.sync_mode)) return { stream, sync_mode: edit.sync_mode };
  if (edit.key.kind === 'log') return { stream, sync_mode: edit.sync_mode, replication_method: 'LOG_BASED' };
  if (edit.key.kind === 'column') return { stream, sync_mode: edit.sync_mode, replication_key: edit.key.column };
  return { stream, sync_mode: edit.sync_mode };
}

/** All the pipeline's tables for PATCH, with `stream` changed as `edit` says and the others as they are. */
export function streamsPatch(current: readonly SelectedStream[], stream: string, edit: StreamEdit): StreamInput[] {
  return current.map((s) => (s.stream === stream ? editedInput(s.stream, edit) : asInput(s)));
}

/** Whether the edit changes anything. */
export const isChanged = (current: SelectedStream, edit: StreamEdit) => JSON.stringify(asInput(current)) !== JSON.stringify(editedInput(current.stream, edit));

/** Why an edit cannot be saved as it is (before asking the server), or undefined. */
export function editProblem(edit: StreamEdit): string | undefined {
  if (isIncremental(edit.sync_mode) && edit.key.kind === 'none') return 'Choose how Sluice finds new and changed rows in this table, or choose a mode that reads the whole table.';
  return undefined;
}

/**
 * The server's field errors (`streams.<i>.<field>`: `i` the position in what was sent) put back
 * at the table they name; the rest, with what they are about, for the page.
 */
export function errorsByStream(fields: Record<string, string[]> | undefined, sent: ReadonlyArray<Pick<StreamInput, 'stream'>>): { byStream: Record<string, string[]>; other: string[] } {
  const byStream: Record<string, string[]> = {};
  const other: string[] = [];
  for (const [field, problems] of Object.entries(fields ?? {})) {
    const match = /^streams\.(\d+)(?:\.|$)/.exec(field);
    const table = match ? sent[Number(match[1])]?.stream : undefined;
    if (table !== undefined) (byStream[table] ??= []).push(...problems);
    else other.push(`${fieldName(field)}: ${problems.join(' ')}`);
  }
  return { byStream, other };
}
