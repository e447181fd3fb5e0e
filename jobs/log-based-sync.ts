import { AppError } from '../core/errors.js';
import type { SelectedStream } from '../db/schema/index.js';
import type { Catalog } from '../meltano/catalog-selection.js';
import { streamIdOf } from '../meltano/catalog-selection.js';
import { explainFailure } from '../meltano/failure-reasons.js';
import { committedLsn, logBasedTapConfig, markLogBased, replicationSlotName } from '../meltano/log-based.js';
import { confirmCommitted, dropSlot, prepareSlot, type SourceConnection } from '../meltano/log-based-slot.js';
import { LOG_BASED_LABEL, LOG_BASED_PLUGIN, sourceConnectionOf } from '../meltano/log-based-source.js';
import { withoutBookmarks } from '../meltano/singer-state.js';

/**
 * The steps a sync takes around the tap for streams read from a PostgreSQL source's change log
 * (LOG_BASED, wal2json): the tap's extra settings, the catalog entries, the pipeline's
 * replication slot made (or found) before the tap starts, and told afterwards what the
 * warehouse holds. The tap never advances the slot itself: without that every run re-reads
 * all changes and the source keeps its log for ever.
 */
export type ChangeLog = { source: SourceConnection; slot: string; streams: string[] };

type Log = (line: string) => void;

export const logBasedStreams = (streams: Array<Pick<SelectedStream, 'stream' | 'replication_method'>>) =>
  streams.filter((s) => s.replication_method === 'LOG_BASED').map((s) => s.stream);

/** The tap's settings for reading the change log, when any of the pipeline's streams does. */
export const changeLogTapConfig = (pipelineId: string, streams: Array<Pick<SelectedStream, 'stream' | 'replication_method'>>) =>
  logBasedStreams(streams).length > 0 ? logBasedTapConfig(pipelineId) : {};

/** Marks the LOG_BASED streams' catalog entries so (no replication key: the tap starts where the slot stands). */
export function markChangeLogStreams(catalog: Catalog, streams: string[]): Catalog {
  for (const entry of catalog.streams ?? []) if (streams.includes(streamIdOf(entry))) markLogBased(entry);
  return catalog;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');

/** A failure to reach the source or handle its slot, in plain words; `transient` when trying later may pass. */
function reasonOf(error: unknown): { message: string; transient: boolean } {
  if (error instanceof AppError) return { message: error.message, transient: error.code === 'unavailable' };
  const { message, transient } = explainFailure([error instanceof Error ? error.message : String(error)]);
  return { message, transient };
}

export type ChangeLogStart = { refused: string; transient: boolean } | { changeLog: ChangeLog | undefined; state: Record<string, unknown> | undefined };

/**
 * Before the tap starts. With LOG_BASED streams: refuses a source other than tap-postgres, makes
 * sure the pipeline's slot exists, and when the log cannot be trusted from the stored position
 * (slot new or moved past it) hands back the state without those streams' bookmarks, so they
 * are copied whole again. Without any: drops a slot the pipeline left on a PostgreSQL source
 * (best effort: a failure is said in the run log, the sync goes on). `tapConfig` is the tap's
 * own config.json: the connector's settings with the host pinned to the checked address.
 */
export async function startChangeLog(input: {
  tapName: string;
  tapConfig: Record<string, unknown>;
  pipelineId: string;
  streams: Array<Pick<SelectedStream, 'stream' | 'replication_method'>>;
  state: Record<string, unknown> | undefined;
  onLine: Log;
}): Promise<ChangeLogStart> {
  const streams = logBasedStreams(input.streams);
  const unchanged = { changeLog: undefined, state: input.state };
  if (input.tapName !== LOG_BASED_PLUGIN) {
    if (streams.length === 0) return unchanged;
    return { refused: `Stream "${streams[0]}": its changes cannot be read from a change log, which Sluice reads only from sources added as “${LOG_BASED_LABEL}”. Choose a replication key or a full-refresh mode for this stream.`, transient: false };
  }
  const source = sourceConnectionOf(input.tapConfig);
  const slot = replicationSlotName(input.pipelineId);
  if (streams.length === 0) {
    if (source) await dropUnusedSlot(source, slot, input.onLine);
    return unchanged;
  }
  if (!source) return { refused: 'The connector names no database server, so its change log cannot be read. Check its settings.', transient: false };
  let ready: Awaited<ReturnType<typeof prepareSlot>>;
  try {
    ready = await prepareSlot(source, slot, committedLsn(input.state, streams));
  } catch (error) {
    const reason = reasonOf(error);
    const message = error instanceof AppError ? reason.message : `Sluice could not prepare reading the source database's change log. ${reason.message}`;
    return { refused: message, transient: reason.transient };
  }
  if (ready.created) input.onLine(`INFO Sluice made the replication slot "${slot}" on the source database: it keeps the database's changes for this pipeline until they are loaded.`);
  if (!ready.recopy) return { changeLog: { source, slot, streams }, state: input.state };
  input.onLine(`WARNING ${sentence(ready.recopy)}`);
  return { changeLog: { source, slot, streams }, state: input.state && withoutBookmarks(input.state, streams) };
}

async function dropUnusedSlot(source: SourceConnection, slot: string, onLine: Log) {
  try {
    if (await dropSlot(source, slot)) onLine(`INFO No stream of this pipeline reads the database's change log any more: its replication slot "${slot}" on the source was dropped.`);
  } catch (error) {
    onLine(`WARNING Sluice could not check for an unused replication slot "${slot}" of this pipeline on the source (${reasonOf(error).message}). If it exists, the source keeps its change log for it: drop it there with SELECT pg_drop_replication_slot('${slot}').`);
  }
}

/**
 * After a sync whose final state is stored: tells the slot that every change up to the
 * state's position is in the warehouse, so the source frees that log and the next sync reads
 * only what is new. A failure is said in the run log: the data is loaded, and the next sync
 * reads those changes again (and confirms again).
 */
export async function confirmChangeLog(changeLog: ChangeLog, storedState: unknown, onLine: Log): Promise<void> {
  const committed = committedLsn(storedState, changeLog.streams);
  if (committed === undefined) {
    onLine(`WARNING The sync reported no change-log position for ${changeLog.streams.map((s) => `"${s}"`).join(', ')}, so the source keeps its changes; the next sync reads them again.`);
    return;
  }
  try {
    await confirmCommitted(changeLog.source, changeLog.slot, committed);
  } catch (error) {
    onLine(`WARNING The data is loaded, but Sluice could not tell the source database which changes it holds (${reasonOf(error).message}), so the next sync reads them again and the source keeps its change log until then.`);
  }
}
