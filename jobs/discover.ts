import type { Catalog } from '../meltano/catalog-selection.js';
import { pluginConfig } from '../meltano/plugin-config.js';
import { runPlugins, type LineSource, type PluginSpec } from '../meltano/plugin-process.js';
import { pluginExecutable } from '../meltano/project.js';
import { withRunDir, writePrivateFile, type PluginFolder, type RunDir } from '../meltano/run-dir.js';
import type { SpawnResult } from '../meltano/spawn.js';

/** The wizard's view of a catalog lives in core (the API builds it from stored catalogs too). */
export { streamsOf } from '../core/pipelines/stream-offers.js';

export type TapInput = {
  plugin: PluginSpec;
  config: Record<string, unknown>;
  onLine: (line: string, source?: LineSource) => void;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
};

/**
 * A tap's private folder holding its config.json (its own settings only, meltano.yml defaults
 * applied), plus `fixed` settings Sluice decides itself (a pipeline's change-log slot).
 */
export async function prepareTap(run: RunDir, plugin: PluginSpec, config: Record<string, unknown>, fixed: Record<string, unknown> = {}): Promise<PluginFolder> {
  const folder = await run.pluginFolder('tap');
  await writePrivateFile(folder, 'config.json', JSON.stringify({ ...pluginConfig(plugin.settings, config), ...fixed }));
  return folder;
}

/** `<tap> --config config.json --discover` in a prepared tap folder: its catalog (stdout), the rest logged. */
export async function discoverIn(run: RunDir, folder: PluginFolder, input: TapInput): Promise<{ result: SpawnResult; catalog?: Catalog }> {
  const stdout: string[] = [];
  const source: LineSource = { plugin: input.plugin.name, role: 'tap' };
  const result = await runPlugins(
    run,
    [{ name: input.plugin.name, executable: pluginExecutable(input.plugin), args: ['--config', 'config.json', '--discover'], folder, onStderr: (line) => input.onLine(line, source), onStdout: (line) => void stdout.push(line) }],
    { signal: input.signal, timeoutMs: input.timeoutMs },
  );
  if (result.exitCode !== 0) return { result };
  try {
    const catalog = JSON.parse(stdout.join('\n')) as Catalog;
    if (typeof catalog !== 'object' || catalog === null || !Array.isArray(catalog.streams)) throw new Error('no streams');
    return { result, catalog };
  } catch {
    input.onLine('The tap printed a catalog that is not valid JSON.');
    return { result: { ...result, exitCode: 1 } };
  }
}

/** Runs the tap's discovery in a folder of its own and returns its catalog. */
export function discoverCatalog(input: TapInput): Promise<{ result: SpawnResult; catalog?: Catalog }> {
  return withRunDir(async (run) => discoverIn(run, await prepareTap(run, input.plugin, input.config), input));
}
