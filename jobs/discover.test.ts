import { describe, expect, it } from 'vitest';
import { streamsOf } from './discover.js';

const top = (metadata: Record<string, unknown>) => ({ breadcrumb: [] as string[], metadata });

describe('streamsOf', () => {
  it('reads a stream: its id, properties, keys and replication keys from the top-level metadata', () => {
    const [stream] = streamsOf({
      streams: [
        {
          tap_stream_id: 'public-orders',
          stream: 'orders',
          schema: { properties: { id: { type: 'integer' }, updated_at: { type: 'string', format: 'date-time' } } },
          key_properties: ['ignored'],
          metadata: [
            { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic', 'table-key-properties': ['not-top-level'] } },
            top({ 'table-key-properties': ['id'], 'valid-replication-keys': ['updated_at'] }),
          ],
        },
      ],
    });
    expect(stream).toEqual({
      stream: 'public-orders',
      properties: { id: { type: 'integer' }, updated_at: { type: 'string', format: 'date-time' } },
      key_properties: ['id'],
      replication_keys: ['updated_at'],
      replication_methods: ['FULL_TABLE', 'INCREMENTAL'],
    });
  });

  it('allows INCREMENTAL only where there is a replication key, and only the forced method where the tap forces one', () => {
    const methods = (metadata: Record<string, unknown>) => streamsOf({ streams: [{ tap_stream_id: 's', metadata: [top(metadata)] }] })[0]!.replication_methods;
    expect(methods({})).toEqual(['FULL_TABLE']);
    expect(methods({ 'valid-replication-keys': [] })).toEqual(['FULL_TABLE']);
    expect(methods({ 'valid-replication-keys': ['updated_at', 'id'] })).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    expect(methods({ 'forced-replication-method': 'INCREMENTAL', 'valid-replication-keys': ['updated_at'] })).toEqual(['INCREMENTAL']);
    expect(methods({ 'forced-replication-method': 'FULL_TABLE', 'valid-replication-keys': ['updated_at'] })).toEqual(['FULL_TABLE']);
    expect(methods({ 'forced-replication-method': 'LOG_BASED' })).toEqual(['LOG_BASED']);
  });

  it('falls back to the entry itself when the metadata says nothing, and to empty values when neither does', () => {
    expect(streamsOf({ streams: [{ stream: 'users', key_properties: ['uid'] }] })).toEqual([
      { stream: 'users', properties: {}, key_properties: ['uid'], replication_keys: [], replication_methods: ['FULL_TABLE'] },
    ]);
    expect(streamsOf({ streams: [{ schema: {}, metadata: [] }] })).toEqual([{ stream: '', properties: {}, key_properties: [], replication_keys: [], replication_methods: ['FULL_TABLE'] }]);
  });

  it('keeps the order of the catalog, and reads a catalog without streams as none', () => {
    expect(streamsOf({ streams: [{ tap_stream_id: 'b' }, { tap_stream_id: 'a' }] }).map((s) => s.stream)).toEqual(['b', 'a']);
    expect(streamsOf({})).toEqual([]);
    expect(streamsOf({ streams: [] })).toEqual([]);
  });
});
