import { describe, expect, it } from 'vitest';
import { missingStreams, selectStreams, type Catalog } from './catalog-selection.js';

const catalog: Catalog = {
  streams: [
    {
      tap_stream_id: 'public-orders',
      schema: { properties: { id: {}, updated_at: {}, blob: {} } },
      metadata: [
        { breadcrumb: [], metadata: { 'valid-replication-keys': ['updated_at'] } },
        { breadcrumb: ['properties', 'blob'], metadata: { inclusion: 'unsupported' } },
      ],
    },
    { tap_stream_id: 'public-users', replication_key: 'x', schema: { properties: { id: {} } }, metadata: [{ breadcrumb: [], metadata: { 'replication-key': 'x' } }] },
  ],
};
const meta = (c: Catalog, stream: number, breadcrumb: string[]) => c.streams![stream]!.metadata!.find((m) => JSON.stringify(m.breadcrumb) === JSON.stringify(breadcrumb))?.metadata;

describe('selectStreams', () => {
  it('selects the chosen streams and their properties, with replication method and key', () => {
    const selected = selectStreams(catalog, [{ stream: 'public-orders', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }]);
    expect(meta(selected, 0, [])).toMatchObject({ selected: true, 'replication-method': 'INCREMENTAL', 'replication-key': 'updated_at' });
    expect(selected.streams![0]).toMatchObject({ replication_method: 'INCREMENTAL', replication_key: 'updated_at' });
    expect(meta(selected, 0, ['properties', 'id'])).toEqual({ selected: true });
    expect(meta(selected, 0, ['properties', 'blob'])).toEqual({ inclusion: 'unsupported', selected: false });
    expect(meta(selected, 1, [])).toMatchObject({ selected: false });
    // the input is left as it was
    expect(meta(catalog, 0, [])).toEqual({ 'valid-replication-keys': ['updated_at'] });
  });
  it('a full-table stream drops a discovered replication key', () => {
    const selected = selectStreams(catalog, [{ stream: 'public-users', replication_method: 'FULL_TABLE' }]);
    expect(meta(selected, 1, [])).toEqual({ selected: true, 'replication-method': 'FULL_TABLE' });
    expect(selected.streams![1]!.replication_key).toBeUndefined();
  });
  it('a log-based stream takes its method and no key', () => {
    const selected = selectStreams(catalog, [{ stream: 'public-users', replication_method: 'LOG_BASED' }]);
    expect(meta(selected, 1, [])).toEqual({ selected: true, 'replication-method': 'LOG_BASED' });
    expect(selected.streams![1]).toMatchObject({ replication_method: 'LOG_BASED' });
    expect(selected.streams![1]!.replication_key).toBeUndefined();
  });
  it('names the streams the tap no longer offers', () => {
    expect(missingStreams(catalog, [{ stream: 'public-orders' }, { stream: 'gone' }])).toEqual(['gone']);
  });
});
