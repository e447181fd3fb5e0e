import type { ReplicationMethod, SyncMode } from '../../db/schema/index.js';

export { replicationMethods, syncModes, untypedNumberChoices, type ReplicationMethod, type SyncMode, type UntypedNumbers } from '../../db/schema/index.js';

/** What each mode does, in words for people who never heard of replication methods. */
export const syncModeText: Record<SyncMode, { label: string; description: string }> = {
  full_refresh_overwrite: {
    label: 'Replace all data',
    description:
      'Every sync reads the whole table and replaces the copy in your warehouse, so it matches the source exactly: rows deleted at the source disappear too. People reading the table never see it half loaded.',
  },
  full_refresh_append: {
    label: 'Append a full copy each time',
    description: 'Every sync reads the whole table and adds it beside the copies of earlier syncs. Nothing is ever removed, so you keep a snapshot of each sync.',
  },
  incremental_append: {
    label: 'Add new and changed rows',
    description:
      'Every sync reads only the rows added or changed since the last one and adds them. A row changed three times appears three times, once per version. Rows deleted at the source stay.',
  },
  incremental_deduped: {
    label: 'Keep the latest version of each row',
    description:
      'Every sync reads only the rows added or changed since the last one and keeps one row per primary key: its newest version. Rows deleted at the source stay, unless the changes are read from the database’s change log.',
  },
};

export const isIncremental = (mode: SyncMode) => mode === 'incremental_append' || mode === 'incremental_deduped';

/** How target-clickhouse fills a stream's table (its `stream_modes` setting). */
export type TargetMode = 'overwrite' | 'append' | 'deduped';

export const targetModeOf = (mode: SyncMode): TargetMode => (mode === 'full_refresh_overwrite' ? 'overwrite' : mode === 'incremental_deduped' ? 'deduped' : 'append');

/**
 * The sync mode of a stream stored or sent before sync modes existed: a full table read
 * replaced nothing and was deduplicated on keys like everything else, so it becomes
 * "Replace all data" (what users expect of a full refresh); incremental keeps deduplicating
 * where the stream has key properties and appends where it has none, as the loader did.
 *
 * @example
 * legacySyncMode('INCREMENTAL', true) // 'incremental_deduped'
 */
export function legacySyncMode(method: ReplicationMethod | undefined, hasKeyProperties: boolean): SyncMode {
  if (method === undefined || method === 'FULL_TABLE') return 'full_refresh_overwrite';
  return hasKeyProperties ? 'incremental_deduped' : 'incremental_append';
}
