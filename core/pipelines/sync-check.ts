import type { DiscoveredStream, SelectedStream } from '../../db/schema/index.js';
import { whyNoChangeLog } from './stream-offers.js';
import { legacySyncMode, syncModeText } from './sync-modes.js';

/**
 * A pipeline's streams checked against what the source offers at the start of a sync (the
 * tap discovers its catalog again first): the ones that can run, with their sync modes, and
 * a plain sentence per stream that cannot, naming the stream and the column. The source may
 * have changed since the pipeline was saved; a sync never starts on a key that is gone.
 * Streams the source no longer has are left to the caller (the others still sync).
 *
 * @example
 * checkStreamsForSync([{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], offers).problems
 * // ['Stream "public-orders": its replication key column "updated_at" no longer exists in the source. Choose another key or a full-refresh mode for this stream.']
 */
export function checkStreamsForSync(selected: Array<Pick<SelectedStream, 'stream' | 'replication_key'> & Partial<SelectedStream>>, offers: DiscoveredStream[]): { streams: SelectedStream[]; problems: string[] } {
  const byName = new Map(offers.map((s) => [s.stream, s]));
  const problems: string[] = [];
  const streams = selected.flatMap((choice): SelectedStream[] => {
    const offer = byName.get(choice.stream);
    if (!offer) return [];
    // Streams stored before sync modes existed (or handed in by older callers) get the mode they had.
    const method = choice.replication_method ?? 'FULL_TABLE';
    const stream: SelectedStream = { ...choice, sync_mode: choice.sync_mode ?? legacySyncMode(method, offer.key_properties.length > 0), replication_method: method };
    const problem = problemOf(stream, offer);
    if (problem) problems.push(`Stream "${stream.stream}": ${problem}`);
    return [stream];
  });
  return { streams, problems };
}

function problemOf(stream: SelectedStream, offer: DiscoveredStream): string | undefined {
  if (stream.replication_method === 'INCREMENTAL') {
    if (stream.replication_key === undefined) return 'it has no replication key. Choose one, or a full-refresh mode for this stream.';
    if (!Object.hasOwn(offer.properties, stream.replication_key)) {
      return `its replication key column "${stream.replication_key}" no longer exists in the source. Choose another key or a full-refresh mode for this stream.`;
    }
  }
  if (stream.replication_method === 'LOG_BASED' && !offer.replication_methods.includes('LOG_BASED')) {
    return `its changes can no longer be read from the database’s change log: ${whyNoChangeLog(offer)}. Choose a replication key or a full-refresh mode for this stream.`;
  }
  if (stream.sync_mode === 'incremental_deduped' && offer.key_properties.length === 0) {
    return `it no longer has a primary key, which "${syncModeText.incremental_deduped.label}" needs. Choose "${syncModeText.incremental_append.label}" or a full-refresh mode for this stream.`;
  }
  return undefined;
}
