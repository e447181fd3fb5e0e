/**
 * Everything these pages say about a pipeline, in plain words for people who never ran a data
 * tool: no tool names, no jargon. Pure functions, kept apart so the wording is reviewed (and
 * tested) in one place.
 */
import type { Draft } from '../wizard/draft.js';
import { scheduleInWords, WEEKDAYS } from '../wizard/schedule-words.js';
import { formatDuration, formatNumber } from '../runs/format.js';
import { statusLabel } from '../runs/words.js';
import type { ApiFailure, RunView, Schedule, SelectedStream, StateEntry, SyncMode } from './types.js';

/** The same labels the server gives each mode (core/pipelines/sync-modes.ts), for tables whose offers are not loaded. */
export const syncModeLabel: Record<SyncMode, string> = {
  full_refresh_overwrite: 'Replace all data',
  full_refresh_append: 'Append a full copy each time',
  incremental_append: 'Add new and changed rows',
  incremental_deduped: 'Keep the latest version of each row',
};

export const isIncremental = (mode: SyncMode) => mode === 'incremental_append' || mode === 'incremental_deduped';

/** "Keep the latest version of each row, finding new and changed rows by “updated_at”". */
export function streamModeInWords(stream: Pick<SelectedStream, 'sync_mode' | 'replication_method' | 'replication_key'>): string {
  const label = syncModeLabel[stream.sync_mode];
  if (!isIncremental(stream.sync_mode)) return `${label}: the whole table is read at every sync`;
  if (stream.replication_method === 'LOG_BASED') return `${label}, reading the changes from the database’s change log`;
  if (stream.replication_key) return `${label}, by the column “${stream.replication_key}”`;
  return label;
}

const zoneName = (timezone: string) => timezone.replace(/_/g, ' ');
const two = (n: number) => String(n).padStart(2, '0');
const isNumber = (field: string | undefined): field is string => field !== undefined && /^\d{1,2}$/.test(field);

/**
 * The wizard's schedule presets, read back from a saved schedule (`cronOf` in reverse), so the
 * schedule editor opens on the choice the pipeline has. Anything else is "custom".
 *
 * @example
 * presetOf({ cron: '30 2 * * 1', timezone: 'Europe/Berlin' }, 'UTC') // { preset: 'weekly', time: '02:30', weekday: 1, … }
 */
export function presetOf(schedule: Schedule | null, localZone: string): Draft['schedule'] {
  const base = { preset: 'nightly' as const, time: '02:00', weekday: 1, cron: '0 2 * * *', timezone: localZone };
  if (!schedule) return { ...base, preset: 'manual' };
  const cron = schedule.cron.trim().replace(/\s+/g, ' ');
  const [minute, hour, day, month, weekday, ...rest] = cron.split(' ');
  const withZone = { ...base, cron, timezone: schedule.timezone };
  if (rest.length > 0 || day !== '*' || month !== '*' || !isNumber(minute) || Number(minute) > 59) return { ...withZone, preset: 'custom' };
  if (hour === '*' && weekday === '*') return { ...withZone, preset: 'hourly', time: `00:${two(Number(minute))}` };
  if (!isNumber(hour) || Number(hour) > 23) return { ...withZone, preset: 'custom' };
  const time = `${two(Number(hour))}:${two(Number(minute))}`;
  if (weekday === '*') return { ...withZone, preset: 'nightly', time };
  if (/^[0-6]$/.test(weekday ?? '')) return { ...withZone, preset: 'weekly', time, weekday: Number(weekday) };
  return { ...withZone, preset: 'custom' };
}

/**
 * The schedule as a sentence: "Every night at 02:00, Europe/Berlin", "Every Monday at 07:30, UTC",
 * "Every hour at 15 minutes past, UTC"; other schedules in cronstrue's words.
 */
export function scheduleSummary(schedule: Schedule | null): string {
  if (!schedule) return 'Only when someone presses “Run now”';
  const preset = presetOf(schedule, 'UTC');
  const zone = zoneName(schedule.timezone);
  const [hour = 0, minute = 0] = preset.time.split(':').map(Number);
  switch (preset.preset) {
    case 'hourly':
      return minute === 0 ? `Every hour, on the hour, ${zone}` : `Every hour at ${minute} ${minute === 1 ? 'minute' : 'minutes'} past, ${zone}`;
    case 'nightly':
      return `${hour < 6 || hour >= 21 ? 'Every night' : 'Every day'} at ${preset.time}, ${zone}`;
    case 'weekly':
      return `Every ${WEEKDAYS[preset.weekday] ?? 'week'} at ${preset.time}, ${zone}`;
    default: {
      const words = scheduleInWords(schedule.cron, schedule.timezone);
      return 'words' in words ? words.words : `On a custom schedule (${schedule.cron}), ${zone}`;
    }
  }
}

/** Run times (ISO) as the reader says them, in the schedule's own time zone: "Tue 14 Jan, 02:00". */
export function formatRunTimes(times: readonly string[], timezone: string, count = 3, locale?: string): string[] {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timezone });
  } catch {
    format = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }
  return times.slice(0, count).map((t) => format.format(new Date(t)));
}

/** A run in a few words: its status, the rows it loaded and how long it took. */
export function runFacts(run: Pick<RunView, 'status' | 'rows_loaded' | 'duration_seconds'>): { status: string; rows: string | undefined; duration: string | undefined } {
  return {
    status: statusLabel[run.status],
    rows: run.rows_loaded === null ? undefined : `${formatNumber(run.rows_loaded)} ${run.rows_loaded === 1 ? 'row' : 'rows'}`,
    duration: run.duration_seconds === null ? undefined : formatDuration(run.duration_seconds),
  };
}

export const isActive = (status: RunView['status']) => status === 'queued' || status === 'running';

const runIdOf = (failure: ApiFailure) => failure.detail?.fields?.run_id?.[0];

/** Why "Run now" did not start a sync, and the sync in the way (to link to), if any. */
export function runNowProblem(failure: ApiFailure): { message: string; runId: string | undefined } {
  if (failure.status === 409) {
    return { message: 'A sync of this pipeline is already waiting or running, so no second one was started. Wait for it to finish, or open it to cancel it.', runId: runIdOf(failure) };
  }
  if (failure.status === 503) return { message: 'Sluice could not reach its job queue, so nothing was started. Try again in a minute.', runId: undefined };
  if (failure.status === 403) return { message: 'Only admins and owners can start a sync. Ask one of them to start it.', runId: undefined };
  return { message: `The sync did not start: ${failure.message}`, runId: undefined };
}

/** Why the pipeline was not deleted: a sync in the way is named so the person can cancel it. */
export function deleteProblem(failure: ApiFailure): { message: string; runId: string | undefined } {
  if (failure.status === 409) return { message: 'A sync of this pipeline is waiting or running. Cancel the running sync first, then delete the pipeline.', runId: runIdOf(failure) };
  if (failure.status === 404) return { message: 'This pipeline no longer exists: someone deleted it already.', runId: undefined };
  return { message: `The pipeline was not deleted: ${failure.message}`, runId: undefined };
}

/** What a change to the pipeline that did not save says: the server's field errors, each with what it is about. */
const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  enabled: 'Paused or running',
  source_connector_id: 'Source connection',
  destination_connector_id: 'Destination',
  destination_database: 'Warehouse database',
  'schedule.cron': 'Schedule',
  'schedule.timezone': 'Time zone',
  schedule: 'Schedule',
  streams: 'Tables',
  untyped_numbers: 'Numbers without a precision',
};

export const fieldName = (field: string) => FIELD_NAMES[field] ?? field.replace(/[._]+/g, ' ');

// ---------------------------------------------------------------------------------------------
// Saved progress (the state after each sync)

type Changes = NonNullable<StateEntry['changes']>;
type FormatOptions = { locale?: string | undefined; timeZone?: string | undefined };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** A bookmark value as a person reads it: times in their own words, numbers with separators. */
export function formatValue(value: unknown, options: FormatOptions = {}): string {
  if (typeof value === 'number') return value.toLocaleString(options.locale);
  if (typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) {
    return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'medium', ...(options.timeZone ? { timeZone: options.timeZone } : {}) }).format(new Date(value));
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

const bookmarksOf = (state: unknown): Record<string, unknown> => {
  const bookmarks = typeof state === 'object' && state !== null ? (state as { bookmarks?: unknown }).bookmarks : undefined;
  return typeof bookmarks === 'object' && bookmarks !== null && !Array.isArray(bookmarks) ? (bookmarks as Record<string, unknown>) : {};
};

/**
 * Splits a changed path (`bookmarks.<table>.<field>`; the server joins with dots, and a table's
 * name may hold dots itself) into the table and the field, using the tables the states name.
 */
function splitBookmarkPath(rest: string, tables: string[]): { table: string; field: string } {
  const table = tables.find((t) => rest === t || rest.startsWith(`${t}.`));
  if (table) return { table, field: rest.slice(table.length + 1) };
  const dot = rest.lastIndexOf('.');
  return dot === -1 ? { table: rest, field: '' } : { table: rest.slice(0, dot), field: rest.slice(dot + 1) };
}

/**
 * What changed in the saved progress, table by table, in sentences:
 * "“orders”: read up to 1 Jan 2024, 00:01:50 (before: up to …)".
 * `changes` is the server's diff of this state against the one before it (null: the first one);
 * `state` and `previous` (when known) name the tables.
 */
export function describeChanges(changes: StateEntry['changes'], state: unknown, previous?: unknown, options: FormatOptions = {}): string[] {
  if (changes === null) return ['The first saved progress of this pipeline.'];
  const entries = Object.entries(changes);
  if (entries.length === 0) return ['No change: the next sync starts where the one before it would have.'];
  const tables = [...new Set([...Object.keys(bookmarksOf(state)), ...Object.keys(bookmarksOf(previous))])].sort((a, b) => b.length - a.length);
  const byTable = new Map<string, Array<{ field: string; from: unknown; to: unknown }>>();
  const sentences: string[] = [];
  let other = false;
  for (const [path, change] of entries) {
    if (path === 'currently_syncing') {
      if (typeof change.to === 'string') sentences.push(`The sync stopped partway through “${change.to}”; the next sync carries on there.`);
      continue;
    }
    if (!path.startsWith('bookmarks.')) {
      other = true;
      continue;
    }
    const { table, field } = splitBookmarkPath(path.slice('bookmarks.'.length), tables);
    byTable.set(table, [...(byTable.get(table) ?? []), { field, ...change }]);
  }
  const value = (v: unknown) => formatValue(v, options);
  for (const [table, fields] of [...byTable].sort(([a], [b]) => a.localeCompare(b))) {
    const inState = Object.hasOwn(bookmarksOf(state), table);
    const mark = fields.find((f) => f.field === 'replication_key_value');
    const log = fields.find((f) => f.field === 'lsn');
    const key = fields.find((f) => f.field === 'replication_key');
    if (!inState) sentences.push(`“${table}”: its saved progress was cleared, so the next sync reads it from the beginning.`);
    else if (mark && (mark.to === null || mark.to === undefined)) sentences.push(`“${table}”: its saved progress was cleared, so the next sync reads it from the beginning.`);
    else if (mark && (mark.from === null || mark.from === undefined)) sentences.push(`“${table}”: read up to ${value(mark.to)}.`);
    else if (mark) sentences.push(`“${table}”: read up to ${value(mark.to)} (before: up to ${value(mark.from)}).`);
    else if (log && log.to !== null && log.to !== undefined) sentences.push(`“${table}”: the database’s change log was read up to position ${value(log.to)}.`);
    else if (key && typeof key.to === 'string') sentences.push(`“${table}”: new and changed rows are now found by “${key.to}”.`);
    else sentences.push(`“${table}”: read again in full.`);
  }
  if (other) sentences.push('Other saved progress changed too.');
  return sentences;
}

/** The earlier sync a rollback went back to: the newest older entry of a sync with the very same state. */
export function rollbackTargetOf(entry: Pick<StateEntry, 'source' | 'state'>, older: ReadonlyArray<Pick<StateEntry, 'source' | 'state' | 'run_id' | 'created_at' | 'id'>>) {
  if (entry.source !== 'rollback') return undefined;
  const wanted = JSON.stringify(entry.state);
  return older.find((o) => o.source === 'sync' && JSON.stringify(o.state) === wanted);
}

/** The heading of one entry of the history. `when`: the time to name (a sync's end, when known). */
export function stateEntryTitle(entry: Pick<StateEntry, 'source'>, when: string, rolledBackTo?: string): string {
  switch (entry.source) {
    case 'sync':
      return `After the sync of ${when}`;
    case 'rollback':
      return rolledBackTo ? `Rolled back to after the sync of ${rolledBackTo} (on ${when})` : `Rolled back to an earlier sync (on ${when})`;
    case 'edit':
      return `Changed by hand (on ${when})`;
    case 'reset':
      return `Started over (on ${when}): everything is read again`;
  }
}

/** For each way of filling a table, what re-reading rows does to it. */
function rereadEffects(streams: ReadonlyArray<Pick<SelectedStream, 'stream' | 'sync_mode'>>): string[] {
  const named = (mode: SyncMode) => streams.filter((s) => s.sync_mode === mode).map((s) => `“${s.stream}”`);
  const list = (names: string[]) => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`);
  const effects: string[] = [];
  const deduped = named('incremental_deduped');
  const appended = named('incremental_append');
  const full = [...named('full_refresh_overwrite'), ...named('full_refresh_append')];
  if (deduped.length > 0) effects.push(`${list(deduped)}: rows read again replace their earlier copies, so nothing is doubled.`);
  if (appended.length > 0) effects.push(`${list(appended)}: rows read again are added once more, so these tables will hold them twice.`);
  if (full.length > 0) effects.push(`${list(full)}: read whole at every sync anyway, so nothing changes for ${full.length === 1 ? 'it' : 'them'}.`);
  return effects;
}

/** What "Roll back to after this sync" does, said before the person confirms it. */
export function rollbackConsequences(when: string, streams: ReadonlyArray<Pick<SelectedStream, 'stream' | 'sync_mode'>>, syncRunning: boolean): string[] {
  return [
    `The next sync starts from where the sync of ${when} stopped: it reads again every row added or changed since then.`,
    'Nothing is deleted from your warehouse.',
    ...rereadEffects(streams),
    syncRunning ? 'A sync is running now: this applies to the sync after it.' : 'This applies when the next sync starts, on schedule or when you press “Run now”.',
  ];
}

/** What "Start over" does, said before the person confirms it. */
export function startOverConsequences(streams: ReadonlyArray<Pick<SelectedStream, 'stream' | 'sync_mode'>>, syncRunning: boolean): string[] {
  return [
    'Sluice forgets how far each table was read. The next sync reads every table from the beginning, as the first sync did. With large tables this takes a while.',
    'Nothing is deleted from your warehouse.',
    ...rereadEffects(streams),
    syncRunning ? 'A sync is running now: this applies to the sync after it.' : 'This applies when the next sync starts, on schedule or when you press “Run now”.',
  ];
}
