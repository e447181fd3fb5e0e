import { createHash, randomBytes } from 'node:crypto';
import { access, chmod, constants, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { acquireLock } from './install-lock.js';
import { INSTALL_TIMEOUT_MS, installPackage, requirementsOf, type InstallLine, type InstallOutcome } from './package-install.js';
import { isolatesPlugins } from './plugin-uids.js';
import { pluginsDir, pluginVenv } from './project.js';

/**
 * Plugins are installed on the machine that runs them, on first use, each in Meltano's layout
 * (`.meltano/<kind>s/<name>/venv`). A venv is built beside its final place and renamed into
 * it once complete, with a marker naming the pip_url it holds written before the rename: a
 * venv is there only whole, and an install that was killed never looks installed. Every
 * process on the machine (workers, setup) installs a plugin under one lock (install-lock.ts),
 * so two runs needing the same new plugin install it once.
 */
export type InstallablePlugin = { name: string; kind: 'extractor' | 'loader'; executable: string; pipUrl?: string | null | undefined; label?: string | undefined };

export type EnsureOutcome = { ok: true; installed: boolean } | Extract<InstallOutcome, { ok: false }>;

/** Written last: the venv holds a complete, verified install of exactly this pip_url. */
const MARKER = '.sluice-installed.json';
/** Meltano's own record of what a venv holds, so `meltano install` and `meltano invoke` agree with us. */
const MELTANO_FINGERPRINT = '.meltano_plugin_fingerprint';
const LOCK_FILE = 'install.lock';
const STAGING = 'venv.installing-';
const PREVIOUS = 'venv.previous-';

type Marker = { pip_url: string; executable: string; installed_at: string };

/**
 * Meltano's fingerprint of an install (meltano.core.venv_service.fingerprint, with the default
 * Python): the SHA-256 of the sorted, deduplicated pip arguments joined by spaces.
 */
export function meltanoFingerprint(requirements: string[]): string {
  return createHash('sha256').update([...new Set(requirements)].sort().join(' ')).digest('hex');
}

async function readMarker(venv: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(path.join(venv, MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Whether the plugin's venv holds a complete install of its current pip_url (always, for a plugin without one). */
export async function pluginInstalled(plugin: InstallablePlugin, root = pluginsDir): Promise<boolean> {
  if (!plugin.pipUrl) return true;
  const venv = pluginVenv(plugin, root);
  const marker = await readMarker(venv);
  if (marker?.pip_url !== plugin.pipUrl || marker.executable !== plugin.executable) return false;
  return access(path.join(venv, 'bin', plugin.executable), constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** How the plugin is named in what a person reads. */
export const describePlugin = (plugin: InstallablePlugin) => (plugin.label ? `the ${plugin.label} connector (${plugin.name})` : plugin.name);

/**
 * Makes sure the plugin is installed on this machine at its current pip_url, installing it
 * (once, whoever asks at the same moment) when it is not: quick when it is. `onLine` gets
 * what a run's log shows: a line saying it installs (or waits for another process that
 * does), uv's every line, and how long it took. A plugin without a pip_url (our own
 * target-clickhouse) needs nothing. `root`: the plugins folder (tests use their own).
 *
 * @example
 * const ready = await ensurePluginInstalled({ name: 'tap-jsonl', kind: 'extractor', executable: 'tap-jsonl', pipUrl: 'tap-jsonl==0.3.1' }, { onLine });
 * if (!ready.ok) fail(ready.message); // 'Could not install tap-jsonl: no version …'
 */
export async function ensurePluginInstalled(
  plugin: InstallablePlugin,
  options: { onLine: InstallLine; signal?: AbortSignal | undefined; root?: string | undefined; timeoutMs?: number | undefined },
): Promise<EnsureOutcome> {
  const root = options.root ?? pluginsDir;
  if (!plugin.pipUrl || (await pluginInstalled(plugin, root))) return { ok: true, installed: false };
  const pipUrl = plugin.pipUrl;
  const venv = pluginVenv(plugin, root);
  const place = path.dirname(venv);
  const what = describePlugin(plugin);
  const timeoutMs = options.timeoutMs ?? INSTALL_TIMEOUT_MS;
  const got = await acquireLock(path.join(place, LOCK_FILE), {
    onWait: () => options.onLine(`Waiting for another run that is installing ${what} on this machine…`, 'info'),
    signal: options.signal,
    // The holder's install is bounded by its own time limit; this only guards against the unforeseen.
    maxWaitMs: timeoutMs + 5 * 60_000,
  });
  if (!got.ok) {
    return got.reason === 'cancelled'
      ? { ok: false, message: `The install of ${what} was cancelled.`, transient: false, cancelled: true }
      : { ok: false, message: `Could not install ${what}: another install of it on this machine has not finished in ${Math.round(timeoutMs / 60_000) + 5} minutes. Sluice tries again.`, transient: true, cancelled: false };
  }
  const staging = path.join(place, `${STAGING}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // Whoever held the lock before us may have installed it meanwhile.
    if (await pluginInstalled(plugin, root)) {
      options.onLine(`${what.charAt(0).toUpperCase()}${what.slice(1)} is installed now (another run installed it).`, 'info');
      return { ok: true, installed: false };
    }
    await removeLeftovers(place, STAGING);
    const previous = await readMarker(venv);
    options.onLine(previous ? `Installing ${what} on this machine at ${pipUrl} (it had ${previous.pip_url}).` : `Installing ${what} on this machine, its first use here: ${pipUrl}.`, 'info');
    const started = Date.now();
    const done = await installPackage({ venvDir: staging, pipUrl, onLine: options.onLine, signal: options.signal, timeoutMs, subject: what, keepOpen: [got.lock.fd] });
    if (!done.ok) return done;
    const executable = path.join(staging, 'bin', plugin.executable);
    if (!(await access(executable, constants.X_OK).then(() => true, () => false))) {
      return { ok: false, message: `Could not install ${what}: the package ${pipUrl} installed, but has no program named "${plugin.executable}". Check the plugin's executable.`, transient: false, cancelled: false };
    }
    // Plugin processes run under user ids of their own (plugin-uids.ts): they must read and run it.
    if (isolatesPlugins()) await openToOthers(staging, place);
    await writeFile(path.join(staging, MELTANO_FINGERPRINT), meltanoFingerprint(requirementsOf(pipUrl) ?? []));
    const marker: Marker = { pip_url: pipUrl, executable: plugin.executable, installed_at: new Date().toISOString() };
    await writeFile(path.join(staging, MARKER), `${JSON.stringify(marker)}\n`, { mode: 0o644 });
    await replaceVenv(place, venv, staging);
    options.onLine(`Installed ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s.`, 'info');
    return { ok: true, installed: true };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await got.lock.release();
  }
}

/** Removes folders named `<prefix>…` in a plugin's place (only ever called under its lock: no install of it is running). */
async function removeLeftovers(place: string, prefix: string) {
  for (const name of await readdir(place).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await rm(path.join(place, name), { recursive: true, force: true });
  }
}

/**
 * Puts the new venv in place. The one it replaces is kept, renamed, until the next install:
 * a run still using the older version keeps its files.
 */
async function replaceVenv(place: string, venv: string, staging: string) {
  await removeLeftovers(place, PREVIOUS);
  await rename(venv, path.join(place, `${PREVIOUS}${Date.now()}`)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, venv);
}

async function openToOthers(venv: string, place: string) {
  const chmodded = await execa('chmod', ['-R', 'go+rX,go-w', venv], { reject: false });
  if (chmodded.exitCode !== 0) throw new Error(`chmod of ${venv} failed: ${chmodded.stderr}`);
  // The plugin's folder, its kind's and the plugins folder: enter and list only.
  for (const dir of [place, path.dirname(place), path.dirname(path.dirname(place))]) await chmod(dir, 0o755);
}
