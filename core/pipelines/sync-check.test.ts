import { describe, expect, it } from 'vitest';
import { streamsOf } from './stream-offers.js';
import { checkStreamsForSync } from './sync-check.js';

const offers = (keys: string[], properties: Record<string, unknown>, capabilities: string[] = []) =>
  streamsOf({ streams: [{ tap_stream_id: 'public-orders', schema: { properties }, metadata: [{ breadcrumb: [], metadata: { 'table-key-properties': keys } }] }] }, capabilities);
const time = { type: ['string', 'null'], format: 'date-time' };

describe('checkStreamsForSync', () => {
  it('refuses an incremental stream whose key column is gone, naming the stream and the column', () => {
    const { problems } = checkStreamsForSync([{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], offers(['id'], { id: { type: 'integer' } }));
    expect(problems).toEqual(['Stream "public-orders": its replication key column "updated_at" no longer exists in the source. Choose another key or a full-refresh mode for this stream.']);
  });

  it('refuses deduped once the stream lost its primary key, and log-based once the source no longer offers it', () => {
    expect(checkStreamsForSync([{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], offers([], { updated_at: time })).problems[0]).toMatch(
      /^Stream "public-orders": it no longer has a primary key, which "Keep the latest version of each row" needs/,
    );
    expect(checkStreamsForSync([{ stream: 'public-orders', sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }], offers(['id'], { id: { type: 'integer' } })).problems[0]).toMatch(/change log/);
    expect(checkStreamsForSync([{ stream: 'public-orders', sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }], offers(['id'], { id: { type: 'integer' } }, ['log-based'])).problems).toEqual([]);
  });

  it('passes what still fits, gives streams stored before sync modes theirs, and leaves streams the source lost to the caller', () => {
    const { streams, problems } = checkStreamsForSync(
      [{ stream: 'public-orders', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }, { stream: 'public-gone', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' }],
      offers(['id'], { id: { type: 'integer' }, updated_at: time }),
    );
    expect(problems).toEqual([]);
    expect(streams).toEqual([{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }]);
    expect(checkStreamsForSync([{ stream: 'public-orders' }], offers([], {})).streams).toEqual([{ stream: 'public-orders', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' }]);
  });
});
