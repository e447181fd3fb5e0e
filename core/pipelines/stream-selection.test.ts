import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../meltano/catalog-selection.js';
import { streamsOf } from './stream-offers.js';
import { resolveStreams } from './stream-selection.js';

const entry = (name: string, properties: Record<string, unknown>, keys: string[] = []): CatalogEntry => ({ tap_stream_id: name, schema: { properties }, metadata: [{ breadcrumb: [], metadata: { 'table-key-properties': keys } }] });
const time = { type: ['string', 'null'], format: 'date-time' };
const text = { type: ['string', 'null'] };
const int = { type: ['integer'] };
const discovered = streamsOf(
  {
    streams: [
      entry('public-Customer Accounts', { id: int, 'updated at': time, note: text }, ['id']),
      entry('日本.売上', { id: int }),
      entry('a', { constructor: text }),
      entry('events', { seq: int, payload: text }),
      entry('public-orders', { id: int }, ['id']),
    ],
  },
  ['log-based'],
);

describe('resolveStreams', () => {
  it('takes exact names of any characters, stores each with its sync mode and method, and drops keys a mode does not use', () => {
    const { streams, errors } = resolveStreams(
      [
        { stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_key: 'updated at' },
        { stream: '日本.売上', sync_mode: 'full_refresh_append', replication_key: 'id' },
        { stream: 'events', sync_mode: 'incremental_append', replication_key: 'seq' },
      ],
      discovered,
    );
    expect(errors).toEqual({});
    expect(streams).toEqual([
      { stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated at' },
      { stream: '日本.売上', sync_mode: 'full_refresh_append', replication_method: 'FULL_TABLE' },
      { stream: 'events', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'seq' },
    ]);
  });

  it('reads a body of replication methods only as before: FULL_TABLE replaces, INCREMENTAL dedupes where the stream has keys and appends where not', () => {
    const { streams, errors } = resolveStreams(
      [{ stream: 'public-Customer Accounts', replication_method: 'INCREMENTAL', replication_key: 'updated at' }, { stream: 'events', replication_method: 'INCREMENTAL', replication_key: 'seq' }, { stream: '日本.売上' }],
      discovered,
    );
    expect(errors).toEqual({});
    expect(streams.map((s) => s.sync_mode)).toEqual(['incremental_deduped', 'incremental_append', 'full_refresh_overwrite']);
    // without a discovery nobody knows the keys: appending loses nothing
    expect(resolveStreams([{ stream: 'x', replication_method: 'INCREMENTAL', replication_key: 'k' }], undefined).streams[0]!.sync_mode).toBe('incremental_append');
  });

  it('takes LOG_BASED where offered, without a key', () => {
    const { streams, errors } = resolveStreams([{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED', replication_key: 'id' }], discovered);
    expect(errors).toEqual({});
    expect(streams).toEqual([{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' }]);
  });

  it('refuses LOG_BASED for a table whose name the change log reader cannot take, saying why', () => {
    const { errors } = resolveStreams([{ stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' }], discovered);
    expect(errors['streams.0.replication_method']![0]).toMatch(/"public-Customer Accounts" cannot be read from the database's change log: its name contains a space.*Choose a replication_key instead \(it offers "updated at", "id"\)/);
  });

  it('names each unknown stream, repeated stream and unknown key by its index', () => {
    const { errors } = resolveStreams(
      [
        { stream: 'public-customer accounts', replication_method: 'FULL_TABLE' },
        { stream: 'public-Customer Accounts', sync_mode: 'incremental_append', replication_key: 'toString' },
        { stream: 'public-Customer Accounts', replication_method: 'FULL_TABLE' },
      ],
      discovered,
    );
    expect(Object.keys(errors)).toEqual(['streams.0.stream', 'streams.1.replication_key', 'streams.2.stream']);
    expect(errors['streams.0.stream']![0]).toContain('"public-Customer Accounts"');
    expect(errors['streams.1.replication_key']![0]).toContain('"toString" is not a column of "public-Customer Accounts"');
    expect(errors['streams.2.stream']![0]).toContain('chosen twice');
  });

  it('refuses modes, keys and methods a stream does not offer, in plain words naming the field', () => {
    const { errors } = resolveStreams(
      [
        { stream: 'a', sync_mode: 'incremental_append', replication_key: 'constructor' },
        { stream: 'events', sync_mode: 'incremental_deduped', replication_key: 'seq' },
        { stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_key: 'note' },
        { stream: 'public-Customer Accounts', sync_mode: 'incremental_append' },
        { stream: 'events', sync_mode: 'incremental_append', replication_method: 'LOG_BASED' },
        { stream: 'public-Customer Accounts', sync_mode: 'full_refresh_overwrite', replication_method: 'INCREMENTAL' },
        { stream: 'public-Customer Accounts', sync_mode: 'incremental_append', replication_method: 'FULL_TABLE', replication_key: 'id' },
      ],
      discovered,
    );
    expect(errors['streams.0.sync_mode']![0]).toMatch(/"a" cannot be read in parts: it has no column holding a time, a date or a whole number.*"Replace all data", "Append a full copy each time"/);
    expect(errors['streams.1.sync_mode']![0]).toMatch(/"Keep the latest version of each row" needs a primary key to tell rows apart, and "events" has none/);
    expect(errors['streams.2.replication_key']![0]).toMatch(/"note" cannot tell which rows are new or changed.*it offers "updated at", "id"/);
    expect(errors['streams.3.replication_key']![0]).toMatch(/"Add new and changed rows" needs a column that tells new and changed rows apart.*Choose one: it offers "updated at", "id"/);
    expect(errors['streams.4.replication_method']![0]).toMatch(/cannot be read from the database's change log: it has no primary key/);
    expect(errors['streams.5.replication_method']![0]).toMatch(/"Replace all data" reads the whole table every time/);
    expect(errors['streams.6.replication_method']![0]).toMatch(/FULL_TABLE reads the whole table every time/);
    // (streams chosen twice here are named too; only the rest matters to this test)
    expect(Object.keys(errors).filter((field) => !field.endsWith('.stream'))).toHaveLength(7);
  });

  it('takes a time, date or whole-number column the tap did not list as a key', () => {
    const withKeys = streamsOf({ streams: [{ ...entry('sf', { Id: text, SystemModstamp: time, Seq: int }, ['Id']), metadata: [{ breadcrumb: [], metadata: { 'table-key-properties': ['Id'], 'valid-replication-keys': ['SystemModstamp'] } }] }] });
    expect(resolveStreams([{ stream: 'sf', sync_mode: 'incremental_deduped', replication_key: 'Seq' }], withKeys).errors).toEqual({});
    expect(Object.keys(resolveStreams([{ stream: 'sf', sync_mode: 'incremental_deduped', replication_key: 'Id' }], withKeys).errors)).toEqual(['streams.0.replication_key']);
  });

  it('says so when discovery found nothing, and checks only the request itself without a discovery', () => {
    expect(resolveStreams([{ stream: 'x', replication_method: 'FULL_TABLE' }], []).errors['streams.0.stream']![0]).toMatch(/found none/);
    expect(resolveStreams([{ stream: 'x', sync_mode: 'incremental_deduped', replication_key: 'whatever' }], undefined).errors).toEqual({});
    expect(Object.keys(resolveStreams([{ stream: 'x', replication_method: 'INCREMENTAL' }], undefined).errors)).toEqual(['streams.0.replication_key']);
  });
});
