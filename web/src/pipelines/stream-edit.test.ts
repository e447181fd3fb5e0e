import { describe, expect, it } from 'vitest';
import { decodeKey, editProblem, encodeKey, errorsByStream, initialEdit, isChanged, keyOptions, streamsPatch, withMode } from './stream-edit.js';
import type { SelectedStream, StreamOffer } from './types.js';

const mode = (sync_mode: StreamOffer['sync_modes'][number]['sync_mode']) => ({ sync_mode, label: sync_mode, description: '' });
const offer = (over: Partial<StreamOffer> = {}): StreamOffer => ({
  stream: 'public-orders',
  properties: { id: { type: 'integer' }, updated_at: { type: 'string', format: 'date-time' } },
  key_properties: ['id'],
  replication_keys: ['updated_at', 'id'],
  replication_methods: ['FULL_TABLE', 'INCREMENTAL'],
  sync_modes: [mode('full_refresh_overwrite'), mode('full_refresh_append'), mode('incremental_append'), mode('incremental_deduped')],
  default: { sync_mode: 'incremental_deduped', replication_key: 'updated_at' },
  ...over,
});
const full: SelectedStream = { stream: 'public-orders', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' };
const byKey: SelectedStream = { stream: 'public-events', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'id' };
const byLog: SelectedStream = { stream: 'public-log', sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' };

describe('changing how a table syncs', () => {
  it('opens on the saved choice', () => {
    expect(initialEdit(byKey, offer())).toEqual({ sync_mode: 'incremental_append', key: { kind: 'column', column: 'id' } });
    expect(initialEdit(byLog, offer())).toEqual({ sync_mode: 'incremental_deduped', key: { kind: 'log' } });
    expect(initialEdit(full, offer())).toEqual({ sync_mode: 'full_refresh_overwrite', key: { kind: 'none' } });
  });

  it('suggests the source’s column when switching a whole-table read to reading new rows, and drops it going back', () => {
    const edit = withMode(initialEdit(full, offer()), 'incremental_deduped', full, offer());
    expect(edit).toEqual({ sync_mode: 'incremental_deduped', key: { kind: 'column', column: 'updated_at' } });
    expect(withMode(edit, 'full_refresh_append', full, offer())).toEqual({ sync_mode: 'full_refresh_append', key: { kind: 'none' } });
    // A source that reads only its change log suggests that.
    const logOnly = offer({ replication_methods: ['LOG_BASED'], default: { sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' } });
    expect(withMode(initialEdit(full, logOnly), 'incremental_append', full, logOnly).key).toEqual({ kind: 'log' });
    // No column and no change log: nothing to suggest, and saving says what to choose.
    const none = offer({ replication_keys: [], replication_methods: ['FULL_TABLE'], default: { sync_mode: 'full_refresh_overwrite' } });
    const stuck = withMode(initialEdit(full, none), 'incremental_append', full, none);
    expect(stuck.key).toEqual({ kind: 'none' });
    expect(editProblem(stuck)).toMatch(/Choose how Sluice finds new and changed rows/);
    expect(editProblem(edit)).toBeUndefined();
  });

  it('offers the columns, the saved one even when no longer suggested, and the change log where there is one', () => {
    expect(keyOptions(offer(), full).map((o) => o.value)).toEqual(['column:updated_at', 'column:id']);
    expect(keyOptions(offer({ replication_keys: ['updated_at'] }), { replication_method: 'INCREMENTAL', replication_key: 'seq' }).map((o) => o.value)).toEqual(['column:seq', 'column:updated_at']);
    expect(keyOptions(offer({ replication_methods: ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'] }), full).map((o) => o.value)).toEqual(['column:updated_at', 'column:id', 'log']);
    expect(keyOptions(offer({ replication_methods: ['LOG_BASED'] }), full).map((o) => o.value)).toEqual(['log']);
    for (const key of [{ kind: 'column', column: 'a:b' }, { kind: 'log' }, { kind: 'none' }] as const) expect(decodeKey(encodeKey(key))).toEqual(key);
  });

  it('sends every table back, the edited one as chosen and the others as saved', () => {
    const sent = streamsPatch([full, byKey, byLog], 'public-orders', { sync_mode: 'incremental_deduped', key: { kind: 'column', column: 'updated_at' } });
    expect(sent).toEqual([
      { stream: 'public-orders', sync_mode: 'incremental_deduped', replication_key: 'updated_at' },
      { stream: 'public-events', sync_mode: 'incremental_append', replication_key: 'id' },
      { stream: 'public-log', sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' },
    ]);
    // Leaving the change log for a whole-table read sends no method the server would refuse.
    expect(streamsPatch([byLog], 'public-log', { sync_mode: 'full_refresh_overwrite', key: { kind: 'none' } })).toEqual([{ stream: 'public-log', sync_mode: 'full_refresh_overwrite' }]);
    expect(streamsPatch([byKey], 'public-events', { sync_mode: 'incremental_append', key: { kind: 'log' } })).toEqual([{ stream: 'public-events', sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }]);
  });

  it('knows when nothing changed', () => {
    expect(isChanged(byKey, initialEdit(byKey, offer()))).toBe(false);
    expect(isChanged(byLog, initialEdit(byLog, offer()))).toBe(false);
    expect(isChanged(byKey, { sync_mode: 'incremental_append', key: { kind: 'column', column: 'updated_at' } })).toBe(true);
  });

  it('puts the server’s field errors at the table they name', () => {
    const sent = [{ stream: 'a' }, { stream: 'b.c' }];
    const found = errorsByStream(
      {
        'streams.1.sync_mode': ['needs a primary key.'],
        'streams.1.replication_key': ['is not a column.'],
        'streams.0': ['is chosen twice.'],
        'streams.7.stream': ['out of range.'],
        destination_database: ['belongs to another organisation.'],
        'schedule.cron': ['must have 5 fields.'],
      },
      sent,
    );
    expect(found.byStream).toEqual({ 'b.c': ['needs a primary key.', 'is not a column.'], a: ['is chosen twice.'] });
    expect(found.other).toEqual(['streams 7 stream: out of range.', 'Warehouse database: belongs to another organisation.', 'Schedule: must have 5 fields.']);
    expect(errorsByStream(undefined, sent)).toEqual({ byStream: {}, other: [] });
  });
});
