import type { InstallLevel } from '../meltano/package-install.js';
import { ensurePluginInstalled, pluginInstalled, type InstallablePlugin } from '../meltano/plugin-install.js';

/** Writes one line to the run's log (scrubbed by the caller) at a level. */
export type RunLogLine = (level: InstallLevel, message: string) => void;
/** Why a run's plugins could not be made ready; `message` becomes the run's failure. */
export type NotReady = { message: string; transient: boolean; cancelled: boolean };

/** The connection test's stage while a plugin installs (the wizard shows it like the others). */
export const installStageLabel = (plugin: InstallablePlugin) => `Installing the ${plugin.label ?? plugin.name} connector (first use on this machine)`;

/** Those of a run's plugins this machine has not installed at their current pip_url. */
export async function pluginsToInstall(plugins: InstallablePlugin[]): Promise<InstallablePlugin[]> {
  const missing: InstallablePlugin[] = [];
  for (const plugin of plugins) if (!(await pluginInstalled(plugin))) missing.push(plugin);
  return missing;
}

/**
 * Before a run starts its plugins: installs each one this machine lacks (or has at an older
 * pip_url), once per machine whoever else needs it at the same moment, with the install's
 * lines in the run's log. Undefined when all are ready.
 */
export async function installForRun(plugins: InstallablePlugin[], log: RunLogLine, signal: AbortSignal | undefined): Promise<NotReady | undefined> {
  for (const plugin of plugins) {
    const ready = await ensurePluginInstalled(plugin, { onLine: (line, level) => log(level, line), signal });
    if (!ready.ok) return { message: ready.message, transient: ready.transient, cancelled: ready.cancelled };
  }
  return undefined;
}
