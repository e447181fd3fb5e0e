/**
 * What a pipeline needs to read a PostgreSQL source's changes (deletes included) from its
 * write-ahead log: tap-postgres 0.10.0 `LOG_BASED` through the wal2json plugin, one replication
 * slot per pipeline. The slot itself is handled in `log-based-slot.ts`; this file is the plain
 * data: names, the tap's settings, the catalog entry, the position kept in the state.
 */

/** Slot names: lower-case letters, digits and `_`, at most 63 characters (PostgreSQL's rule). */
const SLOT_PREFIX = 'sluice_';

/**
 * The replication slot a pipeline reads through: one per pipeline, so two pipelines on one
 * database never take each other's changes. Deterministic, so the worker needs to store nothing.
 *
 * @example
 * replicationSlotName('3f0c2a9e-1b7d-4c55-9a0e-5a1f2b3c4d5e') // 'sluice_3f0c2a9e1b7d4c559a0e5a1f2b3c4d5e'
 */
export function replicationSlotName(pipelineId: string): string {
  const id = pipelineId.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (id === '') throw new Error(`a pipeline id with no letters or digits: ${JSON.stringify(pipelineId)}`);
  return (SLOT_PREFIX + id).slice(0, 63);
}

/**
 * Settings added to tap-postgres's config for a pipeline with LOG_BASED streams.
 * - single connection: one pass over the log for all streams, and the only mode whose table
 *   filter escapes names (the per-stream mode sends `public."Name"` quoted, which wal2json refuses);
 * - auto bootstrap: a stream without a position is first copied whole, then read from the
 *   log position taken before the copy (without it the tap copies nothing and reads from 0);
 * - idle exit: the run ends once no change has come for this long (the tap's default, 60 s,
 *   would add a minute to every sync); max run: a backlog is read in one sync, up to an hour.
 */
export function logBasedTapConfig(pipelineId: string): Record<string, unknown> {
  return {
    replication_slot_name: replicationSlotName(pipelineId),
    log_based_single_connection: true,
    auto_bootstrap_log_based: true,
    replication_idle_exit_seconds: 10,
    replication_max_run_seconds: 3600,
  };
}

/**
 * Why a table cannot be read from the change log, in plain words; undefined when it can.
 * wal2json's table filter splits on white space and misreads bytes beyond ASCII, and
 * tap-postgres 0.10.0 escapes only `\`, `,` and `.`: such a table fails the whole run.
 */
export function logBasedNameProblem(schema: string, table: string): string | undefined {
  for (const [what, name] of [['schema', schema], ['table', table]] as const) {
    if (/\s/.test(name)) return `The ${what} name "${name}" contains a space: changes of such a table cannot be read from the database's change log. Use incremental or full refresh for it, or rename it.`;
    if (/[^\x21-\x7e]/.test(name)) return `The ${what} name "${name}" contains characters beyond plain ASCII: changes of such a table cannot be read from the database's change log. Use incremental or full refresh for it, or rename it.`;
  }
  return undefined;
}

type CatalogEntry = { replication_method?: string | null; replication_key?: string | null; metadata?: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> };

/**
 * Marks a discovered catalog entry LOG_BASED, in place (metadata and entry fields, as
 * catalog-selection does for the other methods). No replication key: with one, the tap
 * also drops changes older than its bookmark by their own position, which loses the early
 * changes of a transaction that was open across the initial copy; without one it starts where
 * the slot stands, i.e. after the last transaction the slot was told is committed.
 */
export function markLogBased(entry: CatalogEntry): void {
  entry.metadata ??= [];
  let top = entry.metadata.find((m) => m.breadcrumb.length === 0);
  if (!top) entry.metadata.push((top = { breadcrumb: [], metadata: {} }));
  top.metadata['replication-method'] = 'LOG_BASED';
  delete top.metadata['replication-key'];
  entry.replication_method = 'LOG_BASED';
  delete entry.replication_key;
}

type State = { bookmarks?: Record<string, { replication_key_value?: unknown } | undefined> };

/**
 * The log position up to which every change of these streams is committed in the warehouse:
 * the smallest of their bookmarks, or undefined when one has none yet (it will be copied whole).
 * The target emits a state only after committing the rows before it, so the stored state's
 * position is safe to confirm to the slot.
 */
export function committedLsn(state: unknown, streams: string[]): bigint | undefined {
  const bookmarks = (state as State | null | undefined)?.bookmarks ?? {};
  let lowest: bigint | undefined;
  for (const stream of streams) {
    const value = bookmarks[stream]?.replication_key_value;
    if (typeof value !== 'number' && typeof value !== 'string') return undefined;
    if (!/^\d+$/.test(String(value))) return undefined;
    const lsn = BigInt(value);
    if (lowest === undefined || lsn < lowest) lowest = lsn;
  }
  return lowest;
}

/** The state without these streams' bookmarks: the tap copies them whole again, then reads the log. */
export function withoutBookmarks<T>(state: T, streams: string[]): T {
  const copy = structuredClone(state) as State;
  for (const stream of streams) delete copy.bookmarks?.[stream];
  return copy as T;
}

/** PostgreSQL's text form of a log position: `16/B374D848`. */
export const lsnText = (lsn: bigint) => `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;

/** A log position from its text form. */
export function lsnValue(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}
