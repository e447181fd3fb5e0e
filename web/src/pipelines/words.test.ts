import { describe, expect, it } from 'vitest';
import { cronOf } from '../wizard/schedule-words.js';
import type { ApiFailure, SelectedStream } from './types.js';
import {
  deleteProblem,
  describeChanges,
  formatRunTimes,
  presetOf,
  rollbackConsequences,
  rollbackTargetOf,
  runFacts,
  runNowProblem,
  scheduleSummary,
  startOverConsequences,
  stateEntryTitle,
  streamModeInWords,
  syncModeLabel,
} from './words.js';

/** The pages are for people who never ran a data tool: the tools' names stay out of what they say. */
const JARGON = /singer|meltano|\btaps?\b|\btargets?\b/i;
const failure = (status: number, fields?: Record<string, string[]>): ApiFailure =>
  Object.assign(new Error('server words'), { status, detail: { code: 'conflict', message: 'server words', ...(fields ? { fields } : {}) } });
const streams: SelectedStream[] = [
  { stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' },
  { stream: 'public-events', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'id' },
  { stream: 'public-countries', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' },
];

describe('schedule in words', () => {
  it('says the presets as a person would, with the time zone', () => {
    expect(scheduleSummary({ cron: '0 2 * * *', timezone: 'Europe/Berlin' })).toBe('Every night at 02:00, Europe/Berlin');
    expect(scheduleSummary({ cron: '30 14 * * *', timezone: 'UTC' })).toBe('Every day at 14:30, UTC');
    expect(scheduleSummary({ cron: '0 7 * * 1', timezone: 'America/New_York' })).toBe('Every Monday at 07:00, America/New York');
    expect(scheduleSummary({ cron: '0 * * * *', timezone: 'UTC' })).toBe('Every hour, on the hour, UTC');
    expect(scheduleSummary({ cron: '15 * * * *', timezone: 'UTC' })).toBe('Every hour at 15 minutes past, UTC');
    expect(scheduleSummary(null)).toBe('Only when someone presses “Run now”');
  });

  it('says other schedules in cronstrue’s words, and an unreadable one without failing', () => {
    expect(scheduleSummary({ cron: '0 6 * * 1-5', timezone: 'UTC' })).toMatch(/06:00.*Monday through Friday.*\(UTC\)/);
    expect(scheduleSummary({ cron: 'not a cron', timezone: 'UTC' })).toBe('On a custom schedule (not a cron), UTC');
  });

  it('reads a saved schedule back as the wizard preset that makes it', () => {
    for (const cron of ['0 2 * * *', '5 23 * * *', '30 * * * *', '0 * * * *', '45 6 * * 0', '0 2 * * 6']) {
      const preset = presetOf({ cron, timezone: 'Europe/Paris' }, 'UTC');
      expect(preset.preset).not.toBe('custom');
      expect(preset.timezone).toBe('Europe/Paris');
      expect(cronOf(preset)).toBe(cron);
    }
    expect(presetOf({ cron: '0 2 * * 1', timezone: 'UTC' }, 'UTC')).toMatchObject({ preset: 'weekly', time: '02:00', weekday: 1 });
    expect(presetOf({ cron: '*/15 * * * *', timezone: 'UTC' }, 'UTC')).toMatchObject({ preset: 'custom', cron: '*/15 * * * *' });
    expect(presetOf({ cron: '0 2 1 * *', timezone: 'UTC' }, 'UTC')).toMatchObject({ preset: 'custom' });
    expect(presetOf({ cron: '0 2 * * MON', timezone: 'UTC' }, 'UTC')).toMatchObject({ preset: 'custom' });
    expect(presetOf(null, 'Asia/Tokyo')).toMatchObject({ preset: 'manual', timezone: 'Asia/Tokyo' });
  });

  it('shows the next runs in the schedule’s own time zone', () => {
    const times = ['2026-01-14T01:00:00.000Z', '2026-01-15T01:00:00.000Z', '2026-01-16T01:00:00.000Z', '2026-01-17T01:00:00.000Z'];
    const shown = formatRunTimes(times, 'Europe/Berlin', 3, 'en-GB');
    expect(shown).toHaveLength(3);
    expect(shown[0]).toMatch(/Wed.*14 Jan.*02:00/);
    // A zone the browser does not know still shows the times (in the reader's own zone).
    expect(formatRunTimes(times, 'Not/AZone', 1, 'en-GB')).toHaveLength(1);
  });
});

describe('tables and runs in words', () => {
  it('says each sync mode with how new rows are found', () => {
    expect(streamModeInWords(streams[0]!)).toBe('Keep the latest version of each row, by the column “updated_at”');
    expect(streamModeInWords(streams[2]!)).toBe('Replace all data: the whole table is read at every sync');
    expect(streamModeInWords({ sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' })).toMatch(/change log/);
  });

  it('says a run’s rows and duration', () => {
    expect(runFacts({ status: 'succeeded', rows_loaded: 1234, duration_seconds: 65 })).toEqual({ status: 'Succeeded', rows: `${(1234).toLocaleString()} rows`, duration: '1 min 5 s' });
    expect(runFacts({ status: 'running', rows_loaded: null, duration_seconds: null })).toEqual({ status: 'Running', rows: undefined, duration: undefined });
    expect(runFacts({ status: 'succeeded', rows_loaded: 1, duration_seconds: 0.4 }).rows).toBe('1 row');
  });

  it('explains a refused Run now and Delete in words, with the sync in the way', () => {
    const busy = failure(409, { run_id: ['5a1c0e0e-0000-4000-8000-000000000001'] });
    expect(runNowProblem(busy)).toEqual({ message: expect.stringMatching(/already waiting or running/), runId: '5a1c0e0e-0000-4000-8000-000000000001' });
    expect(deleteProblem(busy)).toEqual({ message: expect.stringMatching(/Cancel the running sync first/), runId: '5a1c0e0e-0000-4000-8000-000000000001' });
    expect(runNowProblem(failure(503)).message).toMatch(/Try again/);
    expect(runNowProblem(failure(500)).message).toBe('The sync did not start: server words');
    expect(deleteProblem(failure(404)).runId).toBeUndefined();
  });
});

describe('saved progress in words', () => {
  const state = (orders: string | null) => ({ bookmarks: { 'public-orders': orders === null ? {} : { replication_key: 'updated_at', replication_key_value: orders }, 'public.with.dots': { replication_key_value: 7 } } });
  const options = { locale: 'en-GB', timeZone: 'UTC' };

  it('says how far each table was read, and how far before', () => {
    const lines = describeChanges(
      { 'bookmarks.public-orders.replication_key_value': { from: '2024-01-01T00:01:40+00:00', to: '2024-01-01T00:01:50+00:00' } },
      state('2024-01-01T00:01:50+00:00'),
      state('2024-01-01T00:01:40+00:00'),
      options,
    );
    expect(lines).toEqual(['“public-orders”: read up to 1 Jan 2024, 00:01:50 (before: up to 1 Jan 2024, 00:01:40).']);
  });

  it('finds tables whose names hold dots, first reads, cleared progress and a stopped sync', () => {
    const lines = describeChanges(
      {
        'bookmarks.public.with.dots.replication_key_value': { from: null, to: 1200 },
        'bookmarks.public-orders.replication_key_value': { from: '2024-01-01T00:00:00Z', to: null },
        'bookmarks.public-orders.replication_key': { from: 'updated_at', to: null },
        currently_syncing: { from: null, to: 'public-orders' },
        flattening: { from: 1, to: 2 },
      },
      state(null),
      state('2024-01-01T00:00:00Z'),
      options,
    );
    expect(lines).toEqual([
      'The sync stopped partway through “public-orders”; the next sync carries on there.',
      '“public-orders”: its saved progress was cleared, so the next sync reads it from the beginning.',
      '“public.with.dots”: read up to 1,200.',
      'Other saved progress changed too.',
    ]);
  });

  it('says when nothing changed and when it is the first', () => {
    expect(describeChanges({}, {})).toEqual([expect.stringMatching(/No change/)]);
    expect(describeChanges(null, {})).toEqual(['The first saved progress of this pipeline.']);
    expect(describeChanges({ 'bookmarks.gone.version': { from: 1, to: null } }, { bookmarks: {} }, { bookmarks: { gone: { version: 1 } } })).toEqual([
      '“gone”: its saved progress was cleared, so the next sync reads it from the beginning.',
    ]);
    expect(describeChanges({ 'bookmarks.t.version': { from: 1, to: 2 } }, { bookmarks: { t: { version: 2 } } })).toEqual(['“t”: read again in full.']);
  });

  it('names the sync a rollback went back to', () => {
    const older = [
      { id: 3, source: 'sync' as const, state: { bookmarks: { a: { v: 2 } } }, run_id: 'r2', created_at: '2026-01-02T00:00:00Z' },
      { id: 2, source: 'sync' as const, state: { bookmarks: { a: { v: 1 } } }, run_id: 'r1', created_at: '2026-01-01T00:00:00Z' },
    ];
    expect(rollbackTargetOf({ source: 'rollback', state: { bookmarks: { a: { v: 1 } } } }, older)?.id).toBe(2);
    expect(rollbackTargetOf({ source: 'sync', state: { bookmarks: { a: { v: 1 } } } }, older)).toBeUndefined();
    expect(stateEntryTitle({ source: 'rollback' }, 'today', 'Monday')).toBe('Rolled back to after the sync of Monday (on today)');
    expect(stateEntryTitle({ source: 'sync' }, 'Monday')).toBe('After the sync of Monday');
  });

  it('says what a rollback and a fresh start do to each kind of table, and that nothing is deleted', () => {
    const rollback = rollbackConsequences('Monday', streams, false);
    expect(rollback[0]).toMatch(/reads again every row added or changed since then/);
    expect(rollback).toContain('Nothing is deleted from your warehouse.');
    expect(rollback.join(' ')).toMatch(/“public-orders”: rows read again replace their earlier copies/);
    expect(rollback.join(' ')).toMatch(/“public-events”: rows read again are added once more/);
    expect(rollback.join(' ')).toMatch(/“public-countries”: read whole at every sync anyway, so nothing changes for it/);
    expect(rollbackConsequences('Monday', streams, true).at(-1)).toMatch(/sync after it/);
    expect(startOverConsequences(streams, false)).toContain('Nothing is deleted from your warehouse.');
  });

  it('never names the tools underneath', () => {
    const said = [
      ...Object.values(syncModeLabel),
      ...streams.map(streamModeInWords),
      ...rollbackConsequences('Monday', streams, true),
      ...startOverConsequences(streams, false),
      runNowProblem(failure(409)).message,
      runNowProblem(failure(503)).message,
      runNowProblem(failure(403)).message,
      deleteProblem(failure(409)).message,
      ...(['sync', 'rollback', 'edit', 'reset'] as const).map((source) => stateEntryTitle({ source }, 'Monday')),
      ...describeChanges({ currently_syncing: { from: null, to: 'x' }, other: { from: 1, to: 2 }, 'bookmarks.x.lsn': { from: 1, to: 2 } }, { bookmarks: { x: { lsn: 2 } } }),
      scheduleSummary(null),
    ];
    for (const sentence of said) expect(sentence).not.toMatch(JARGON);
  });
});
