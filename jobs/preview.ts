import { streamsOf } from '../core/pipelines/stream-offers.js';
import { selectStreams, type Catalog, type StreamChoice } from '../meltano/catalog-selection.js';
import { catalogArgs, runPlugins, type LineSource } from '../meltano/plugin-process.js';
import { pluginExecutable } from '../meltano/project.js';
import { parseSingerLine } from '../meltano/singer-json.js';
import { withRunDir, writePrivateFile, type PluginFolder, type RunDir } from '../meltano/run-dir.js';
import type { SpawnResult } from '../meltano/spawn.js';
import { discoverIn, prepareTap, type TapInput } from './discover.js';

/**
 * How a preview or a connection test reads a stream: from its start, as a full table where
 * the tap offers that, else the way the tap insists on (its own first key). Taps such as
 * pipelinewise-tap-mysql refuse a stream selected without a replication method.
 */
function readingChoices(catalog: Catalog, streams: string[]): StreamChoice[] {
  const offers = new Map(streamsOf(catalog).map((offer) => [offer.stream, offer]));
  return streams.map((stream) => {
    const offer = offers.get(stream);
    if (!offer || offer.replication_methods.includes('FULL_TABLE')) return { stream, replication_method: 'FULL_TABLE' };
    const method = offer.replication_methods[0];
    return method === 'INCREMENTAL' ? { stream, replication_method: method, replication_key: offer.replication_keys[0] } : { stream, replication_method: method };
  });
}

/**
 * Runs the tap on its discovered catalog with `streams` selected, handing each RECORD to
 * `onRecord` until it answers false: then the tap is stopped. `complete` says whether the
 * tap ended (or was stopped) because enough had been read, not because it failed.
 */
export async function readRecords(
  run: RunDir,
  folder: PluginFolder,
  input: TapInput & { catalog: Catalog; streams: string[]; onRecord: (stream: string, record: Record<string, unknown>) => boolean },
): Promise<{ result: SpawnResult; enough: boolean }> {
  await writePrivateFile(folder, 'catalog.json', JSON.stringify(selectStreams(input.catalog, readingChoices(input.catalog, input.streams))));
  const enough = new AbortController();
  const stop = () => enough.abort();
  input.signal?.addEventListener('abort', stop);
  let satisfied = false;
  const source: LineSource = { plugin: input.plugin.name, role: 'tap' };
  try {
    const result = await runPlugins(
      run,
      [
        {
          name: input.plugin.name,
          executable: pluginExecutable(input.plugin),
          args: ['--config', 'config.json', ...catalogArgs(input.plugin.capabilities)],
          folder,
          onStderr: (line) => input.onLine(line, source),
          onStdout: (line) => {
            if (satisfied || !line.startsWith('{')) return;
            // A record holding NaN or an infinity (bare, as floats are sent exactly) is shown, not skipped.
            const message = parseSingerLine(line) as { type?: string; stream?: string; record?: Record<string, unknown> } | undefined;
            if (message?.type === 'RECORD' && typeof message.stream === 'string' && message.record && !input.onRecord(message.stream, message.record)) {
              satisfied = true;
              stop();
            }
          },
        },
      ],
      { signal: enough.signal, timeoutMs: input.timeoutMs },
    );
    const complete = satisfied || result.exitCode === 0;
    return { enough: satisfied, result: { ...result, cancelled: result.cancelled && !complete && input.signal?.aborted === true, exitCode: complete ? 0 : result.exitCode } };
  } finally {
    input.signal?.removeEventListener('abort', stop);
  }
}

/**
 * The first `limit` records of one stream, straight from the tap, so a user sees real rows
 * before the first sync. The tap is stopped as soon as it has printed them.
 */
export async function previewStream(input: TapInput & { stream: string; limit: number }) {
  const records: Array<Record<string, unknown>> = [];
  const deadline = Date.now() + input.timeoutMs;
  const result = await withRunDir(async (run) => {
    const folder = await prepareTap(run, input.plugin, input.config);
    const found = await discoverIn(run, folder, input);
    if (!found.catalog) return found.result;
    const read = await readRecords(run, folder, {
      ...input,
      timeoutMs: Math.max(1_000, deadline - Date.now()),
      catalog: found.catalog,
      streams: [input.stream],
      onRecord: (stream, record) => {
        if (stream === input.stream) records.push(record);
        return records.length < input.limit;
      },
    });
    return read.result;
  });
  return { records, result };
}
