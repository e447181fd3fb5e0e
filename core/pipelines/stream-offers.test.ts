import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../meltano/catalog-selection.js';
import { candidateKeys, keyKindOf, streamsOf, whyNoChangeLog } from './stream-offers.js';

const top = (metadata: Record<string, unknown>) => ({ breadcrumb: [] as string[], metadata });

/** A stream as meltanolabs-tap-postgres 0.10.0 discovers it (no valid-replication-keys, an empty forced method). */
const pgOrders: CatalogEntry = {
  tap_stream_id: 'public-orders',
  table_name: 'orders',
  replication_method: '',
  key_properties: ['id'],
  schema: {
    properties: {
      id: { type: ['integer'] },
      created_at: { format: 'date-time', type: ['string', 'null'] },
      amount: { type: ['number', 'null'] },
      day: { format: 'date', type: ['string', 'null'] },
      n: { type: ['integer', 'null'] },
      name: { type: ['string', 'null'] },
      updated_at: { format: 'date-time', type: ['string', 'null'] },
    },
  },
  stream: 'public-orders',
  metadata: [
    { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } },
    top({ inclusion: 'available', 'table-key-properties': ['id'], 'forced-replication-method': '', 'schema-name': 'public' }),
  ],
};
const modes = (s: { sync_modes: Array<{ sync_mode: string }> }) => s.sync_modes.map((m) => m.sync_mode);

describe('streamsOf', () => {
  it("offers a tap-postgres table every mode, its time, date and whole-number columns as keys (change time first), and incremental deduped on updated_at by default", () => {
    const [stream] = streamsOf({ streams: [pgOrders] }, ['catalog', 'discover', 'state', 'log-based']);
    expect(stream).toMatchObject({
      stream: 'public-orders',
      key_properties: ['id'],
      replication_keys: ['updated_at', 'created_at', 'day', 'id', 'n'],
      replication_methods: ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'],
      default: { sync_mode: 'incremental_deduped', replication_key: 'updated_at' },
    });
    expect(stream!.sync_modes).toEqual([
      { sync_mode: 'full_refresh_overwrite', label: 'Replace all data', description: expect.stringContaining('deleted at the source disappear') },
      { sync_mode: 'full_refresh_append', label: 'Append a full copy each time', description: expect.any(String) },
      { sync_mode: 'incremental_append', label: 'Add new and changed rows', description: expect.any(String) },
      { sync_mode: 'incremental_deduped', label: 'Keep the latest version of each row', description: expect.any(String) },
    ]);
    expect(stream!.properties).toBe(pgOrders.schema!.properties);
  });

  it('offers LOG_BASED only when the plugin declares log-based and the stream has key properties', () => {
    expect(streamsOf({ streams: [pgOrders] }, ['catalog', 'discover'])[0]!.replication_methods).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    const keyless = { ...pgOrders, key_properties: [], metadata: [top({ 'table-key-properties': [] })] };
    const [stream] = streamsOf({ streams: [keyless] }, ['log-based']);
    expect(stream!.replication_methods).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    // no key properties: nothing to keep the latest version of, so no deduped mode and no deduped default
    expect(modes(stream!)).toEqual(['full_refresh_overwrite', 'full_refresh_append', 'incremental_append']);
    expect(stream!.default).toEqual({ sync_mode: 'full_refresh_overwrite' });
  });

  it('does not offer LOG_BASED for a view, or a table whose schema or table name wal2json cannot take (a space, beyond ASCII)', () => {
    const logBased = ['catalog', 'discover', 'log-based'];
    const methodsOf = (entry: CatalogEntry) => streamsOf({ streams: [entry] }, logBased)[0]!.replication_methods;
    const named = (schema: string, table: string): CatalogEntry => ({
      ...pgOrders,
      tap_stream_id: `${schema}-${table}`,
      table_name: table,
      metadata: [top({ 'table-key-properties': ['id'], 'schema-name': schema })],
    });
    expect(methodsOf(named('public', 'Customer Accounts'))).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    expect(methodsOf(named('public', 'kunden_ä'))).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    expect(methodsOf(named('my schema', 'orders'))).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    expect(methodsOf({ ...pgOrders, is_view: true })).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    // dots, quotes, upper case: the tap escapes them and wal2json takes them
    expect(methodsOf(named('public', `Mixed.Case'Orders`))).toEqual(['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED']);
  });

  it('says in plain words why a stream cannot be read from the change log', () => {
    expect(whyNoChangeLog({ stream: 'public-events', key_properties: [] })).toMatch(/no primary key/);
    expect(whyNoChangeLog({ stream: 'public-Customer Accounts', key_properties: ['id'] })).toMatch(/name contains a space/);
    expect(whyNoChangeLog({ stream: 'public-kunden_ä', key_properties: ['id'] })).toMatch(/beyond plain ASCII/);
    expect(whyNoChangeLog({ stream: 'public-orders_view', key_properties: ['id'] })).toMatch(/view, or a source not added as “PostgreSQL \(change log\)”/);
  });

  it('offers only full refresh where no column can tell new rows, and defaults to replacing all data without a change-time column', () => {
    const plain = { tap_stream_id: 'public-notes', schema: { properties: { code: { type: ['string'] }, body: { type: ['string', 'null'] }, score: { type: ['number'] } } }, metadata: [top({ 'table-key-properties': ['code'] })] };
    const [notes] = streamsOf({ streams: [plain] }, []);
    expect(notes).toMatchObject({ replication_keys: [], replication_methods: ['FULL_TABLE'], default: { sync_mode: 'full_refresh_overwrite' } });
    expect(modes(notes!)).toEqual(['full_refresh_overwrite', 'full_refresh_append']);
    // keys but no change time: incremental is offered, not chosen for the user
    const events = { tap_stream_id: 'public-events', schema: { properties: { id: { type: ['integer'] }, created_at: { type: 'string', format: 'date-time' } } }, metadata: [top({ 'table-key-properties': ['id'] })] };
    expect(streamsOf({ streams: [events] })[0]).toMatchObject({ replication_keys: ['created_at', 'id'], default: { sync_mode: 'full_refresh_overwrite' } });
  });

  it("takes the tap's own valid-replication-keys as they come, and only the method a tap forces", () => {
    const sf = { tap_stream_id: 'Account', schema: { properties: { Id: { type: 'string' }, SystemModstamp: { type: 'string', format: 'date-time' }, CreatedDate: { type: 'string', format: 'date-time' } } }, metadata: [top({ 'table-key-properties': ['Id'], 'valid-replication-keys': ['SystemModstamp'] })] };
    expect(streamsOf({ streams: [sf] })[0]).toMatchObject({ replication_keys: ['SystemModstamp'], replication_methods: ['FULL_TABLE', 'INCREMENTAL'], default: { sync_mode: 'incremental_deduped', replication_key: 'SystemModstamp' } });
    const forced = (method: string) => streamsOf({ streams: [{ ...sf, metadata: [top({ 'table-key-properties': ['Id'], 'valid-replication-keys': ['SystemModstamp'], 'forced-replication-method': method })] }] })[0]!;
    expect(forced('INCREMENTAL')).toMatchObject({ replication_methods: ['INCREMENTAL'], default: { sync_mode: 'incremental_deduped', replication_key: 'SystemModstamp' } });
    expect(modes(forced('INCREMENTAL'))).toEqual(['incremental_append', 'incremental_deduped']);
    expect(forced('FULL_TABLE')).toMatchObject({ replication_methods: ['FULL_TABLE'], default: { sync_mode: 'full_refresh_overwrite' } });
    expect(forced('LOG_BASED')).toMatchObject({ replication_methods: ['LOG_BASED'], default: { sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' } });
  });

  it('falls back to the entry itself when the metadata says nothing, and to empty values when neither does', () => {
    expect(streamsOf({ streams: [{ stream: 'users', key_properties: ['uid'] }] })[0]).toMatchObject({ stream: 'users', properties: {}, key_properties: ['uid'], replication_keys: [], replication_methods: ['FULL_TABLE'] });
    expect(streamsOf({ streams: [{ schema: {}, metadata: [] }] })[0]).toMatchObject({ stream: '', properties: {}, key_properties: [], replication_keys: [] });
  });

  it('keeps the order of the catalog, and reads a catalog without streams as none', () => {
    expect(streamsOf({ streams: [{ tap_stream_id: 'b' }, { tap_stream_id: 'a' }] }).map((s) => s.stream)).toEqual(['b', 'a']);
    expect(streamsOf({})).toEqual([]);
    expect(streamsOf({ streams: [] })).toEqual([]);
  });
});

describe('candidate keys', () => {
  it('reads times, dates and whole numbers in every way a JSON Schema says them', () => {
    expect(keyKindOf({ type: 'string', format: 'date-time' })).toBe('date-time');
    expect(keyKindOf({ anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] })).toBe('date');
    expect(keyKindOf({ type: ['null', 'integer'] })).toBe('integer');
    expect(keyKindOf({ type: ['string', 'null'], format: 'time' })).toBeUndefined();
    expect(keyKindOf({ type: 'number' })).toBeUndefined();
    expect(keyKindOf(undefined)).toBeUndefined();
  });

  it('puts change times first (any spelling), then other times, dates, whole-number key columns and other whole numbers', () => {
    const props = { seq: { type: 'integer' }, inserted: { type: 'string', format: 'date-time' }, lastModifiedDate: { type: 'string', format: 'date-time' }, day: { type: 'string', format: 'date' }, pk: { type: 'integer' }, _updated: { type: 'string', format: 'date' } };
    expect(candidateKeys(props, ['pk'])).toEqual(['lastModifiedDate', '_updated', 'inserted', 'day', 'pk', 'seq']);
  });
});
