import type { Pipeline } from '../core/pipelines/service.js';
import { streamsOf } from '../core/pipelines/stream-offers.js';
import { checkStreamsForSync } from '../core/pipelines/sync-check.js';
import { isIncremental, targetModeOf, type TargetMode } from '../core/pipelines/sync-modes.js';
import type { SelectedStream, UntypedNumbers } from '../db/schema/index.js';
import { missingStreams, selectStreams } from '../meltano/catalog-selection.js';
import { pluginConfig } from '../meltano/plugin-config.js';
import { withoutBookmarks } from '../meltano/singer-state.js';
import { catalogArgs, runPlugins, type LineSource, type PluginSpec } from '../meltano/plugin-process.js';
import { pluginExecutable } from '../meltano/project.js';
import { withRunDir, writePrivateFile } from '../meltano/run-dir.js';
import type { SpawnResult } from '../meltano/spawn.js';
import { prepareTap } from './discover.js';
import { catalogForSync, type SyncDiscoveries } from './sync-catalog.js';
import { changeLogTapConfig, markChangeLogStreams, startChangeLog, type ChangeLog } from './log-based-sync.js';

export const DESTINATION_PLUGIN = 'target-clickhouse';

/**
 * A sync's result; `refused`: why it did not start the tap (a stream that cannot run as chosen,
 * a source whose change log cannot be read), in plain words, and whether that may pass later
 * (`transient`). `changeLog`: the streams read from the source's change log, to be confirmed
 * once the final state is stored (jobs/log-based-sync.ts).
 */
export type SyncResult = SpawnResult & { refused?: string; transient?: boolean; changeLog?: ChangeLog | undefined };

/**
 * target-clickhouse's config.json: its declared settings (meltano.yml defaults applied), plus
 * what the pipeline decides per run, set after pluginConfig so they reach the target whether
 * or not meltano.yml declares them: `stream_modes` (stream → overwrite | append | deduped) and
 * `untyped_numbers` (float | decimal).
 *
 * @example
 * targetConfig([], { url: 'http://ch:8123' }, [{ stream: 'public-orders', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }], 'float')
 * // { url: 'http://ch:8123', stream_modes: { 'public-orders': 'deduped' }, untyped_numbers: 'float' }
 */
export function targetConfig(settings: readonly unknown[], destination: Record<string, unknown>, streams: SelectedStream[], untypedNumbers: UntypedNumbers): Record<string, unknown> {
  const streamModes: Record<string, TargetMode> = Object.fromEntries(streams.map((s) => [s.stream, targetModeOf(s.sync_mode)]));
  return { ...pluginConfig(settings, destination), stream_modes: streamModes, untyped_numbers: untypedNumbers };
}

/**
 * One sync: the tap discovers its catalog, or starts from the connector's last discovery
 * when it is recent enough and nothing changed since (jobs/sync-catalog.ts), Sluice applies
 * the pipeline's selection and replication choices to it, then starts the tap (`--config
 * --catalog --state`) and the target (`--config`) with the tap's stdout piped into the
 * target's stdin. Each runs in a folder of its own, under a uid of its own, and sees only
 * its own settings: the target never gets the source's secrets, nor the tap the warehouse's.
 * Every line the target prints on stdout is a state it has committed; `onState` gets each
 * one as it comes. Before the tap starts, each stream is checked against that catalog (a
 * replication key column dropped since the pipeline was saved refuses the sync, naming it);
 * full-refresh streams start without their bookmarks, the others resume from theirs.
 * Streams read from a PostgreSQL source's change log (LOG_BASED) get the pipeline's slot made
 * or checked first (jobs/log-based-sync.ts); the caller confirms it once the state is stored.
 */
export async function runSync(
  input: {
    /** The source's plugin; `capabilities` as meltano.yml declares them (`log-based`, `live-schema`). */
    tap: PluginSpec & { capabilities?: readonly string[] | undefined };
    /** The connector's stored discoveries: the last one, when it may be used, instead of discovering (jobs/sync-catalog.ts); without them the tap discovers. */
    discoveries?: SyncDiscoveries | undefined;
    /** target-clickhouse's definition (its settings' defaults). */
    target: PluginSpec;
    config: Record<string, unknown>;
    pipeline: Pick<Pipeline, 'id' | 'streams' | 'destinationDatabase'> & Partial<Pick<Pipeline, 'untypedNumbers'>>;
    /** A tenant's own target-clickhouse connector's settings, or its login to the platform ClickHouse (core/warehouse/tenant-login.ts). */
    destination: Record<string, unknown>;
    /** The state to start from; none on a full refresh. */
    state?: Record<string, unknown> | undefined;
    onState?: (state: Record<string, unknown>) => void;
    timeoutMs: number;
    onLine: (line: string, source?: LineSource) => void;
    signal?: AbortSignal | undefined;
  },
): Promise<SyncResult> {
  const deadline = Date.now() + input.timeoutMs;
  return withRunDir(async (run) => {
    // The tap's settings plus, where a stream reads the change log, its slot: written once, read by both runs.
    const logBasedSettings = changeLogTapConfig(input.pipeline.id, input.pipeline.streams);
    const tapFolder = await prepareTap(run, input.tap, input.config, logBasedSettings);
    const found = await catalogForSync(run, tapFolder, { plugin: input.tap, config: input.config, onLine: input.onLine, signal: input.signal, timeoutMs: input.timeoutMs, discoveries: input.discoveries });
    if (!found.catalog) return found.result;
    const missing = missingStreams(found.catalog, input.pipeline.streams);
    if (missing.length > 0) input.onLine(`WARNING The source no longer offers ${missing.map((s) => `"${s}"`).join(', ')}; the other streams are synced.`);
    const checked = checkStreamsForSync(input.pipeline.streams, streamsOf(found.catalog, input.tap.capabilities ?? []));
    if (checked.problems.length > 0) {
      for (const problem of checked.problems) input.onLine(`ERROR ${problem}`);
      return { ...found.result, exitCode: 1, refused: checked.problems.join(' ') };
    }
    const fullRefresh = checked.streams.filter((s) => !isIncremental(s.sync_mode)).map((s) => s.stream);
    // Before the tap starts: the slot made or found (or an unused one dropped), over the connection the tap itself uses.
    const changeLog = await startChangeLog({
      tapName: input.tap.name,
      tapConfig: { ...pluginConfig(input.tap.settings, input.config), ...logBasedSettings },
      pipelineId: input.pipeline.id,
      streams: checked.streams,
      state: input.state && withoutBookmarks(input.state, fullRefresh),
      onLine: (line) => input.onLine(line),
    });
    if ('refused' in changeLog) {
      input.onLine(`ERROR ${changeLog.refused}`);
      return { ...found.result, exitCode: 1, refused: changeLog.refused, transient: changeLog.transient };
    }
    const catalog = markChangeLogStreams(selectStreams(found.catalog, checked.streams), changeLog.changeLog?.streams ?? []);
    await writePrivateFile(tapFolder, 'catalog.json', JSON.stringify(catalog));
    const state = changeLog.state;
    const hasState = state !== undefined && Object.keys(state).length > 0;
    if (hasState) await writePrivateFile(tapFolder, 'state.json', JSON.stringify(state));

    const targetFolder = await run.pluginFolder('target');
    const destination = { ...input.destination, database: input.pipeline.destinationDatabase };
    await writePrivateFile(targetFolder, 'config.json', JSON.stringify(targetConfig(input.target.settings, destination, checked.streams, input.pipeline.untypedNumbers ?? 'float')));

    const tapSource: LineSource = { plugin: input.tap.name, role: 'tap' };
    const targetSource: LineSource = { plugin: input.target.name, role: 'target' };
    const result = await runPlugins(
      run,
      [
        {
          name: input.tap.name,
          executable: pluginExecutable(input.tap),
          args: ['--config', 'config.json', ...catalogArgs(input.tap.capabilities), ...(hasState ? ['--state', 'state.json'] : [])],
          folder: tapFolder,
          onStderr: (line) => input.onLine(line, tapSource),
        },
        {
          name: input.target.name,
          executable: pluginExecutable(input.target),
          args: ['--config', 'config.json'],
          folder: targetFolder,
          onStderr: (line) => input.onLine(line, targetSource),
          onStdout: (line) => {
            const state = parseState(line);
            if (state) input.onState?.(state);
            else if (line.trim() !== '') input.onLine(line, targetSource);
          },
        },
      ],
      { signal: input.signal, timeoutMs: Math.max(1_000, deadline - Date.now()) },
    );
    if (result.exitCode === 0) input.onLine('Sync completed: reading the source and loading the warehouse both finished.');
    return { ...result, changeLog: changeLog.changeLog };
  });
}

/** A target prints each committed state as one JSON object per line. */
function parseState(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
