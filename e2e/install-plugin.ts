import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { meltanoEnv, pluginExecutable } from '../meltano/project.js';
import { spawnMeltano } from '../meltano/spawn.js';
import { testDatabaseUrl } from './test-env.js';

/**
 * Installs an extractor with `meltano install` unless its venv is there, from its pip_url. A stopgap
 * for tests of plugins that setup does not install: the worker's on-demand install replaces it.
 */
export async function ensureExtractorInstalled(name: string): Promise<void> {
  const plugin = (await readPluginDefinitions()).find((p) => p.name === name && p.kind === 'extractor');
  if (!plugin) throw new Error(`meltano.yml has no extractor ${name}`);
  // Meltano's own fingerprint of a venv: the SHA-256 of the pip_url it was installed from.
  const venv = path.dirname(path.dirname(pluginExecutable({ ...plugin, pipUrl: plugin.pip_url })));
  const installed = await readFile(path.join(venv, '.meltano_plugin_fingerprint'), 'utf8').catch(() => undefined);
  if (installed === createHash('sha256').update(plugin.pip_url ?? '').digest('hex')) return;
  const lines: string[] = [];
  const result = await spawnMeltano(['install', 'extractor', name], { env: meltanoEnv(testDatabaseUrl()), onLine: (line) => void lines.push(line), timeoutMs: 300_000 });
  if (result.exitCode !== 0) throw new Error(`meltano install extractor ${name} failed (exit ${result.exitCode}):\n${lines.slice(-30).join('\n')}`);
}
