import { appendFile, chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAlive, isolatesPlugins, leaseUid, releaseUids, sweepStaleUids } from './plugin-uids.js';
import { killGroup } from './spawn.js';

const PREFIX = 'sluice-run-';

/** A plugin process's private folder (its cwd and HOME) and the uid/gid it runs under (none when the worker is not root). */
export type PluginFolder = { path: string; uid?: number; gid?: number };

export type RunDir = {
  path: string;
  /** A 0700 folder for one plugin process, owned by a uid of its own. */
  pluginFolder(role: string): Promise<PluginFolder>;
  /** Notes a process group of the run, so a sweep can stop it if its worker dies. */
  recordProcessGroup(pgid: number): Promise<void>;
};

/** Writes a 0600 file only the plugin's own uid (and root) can read: its config, catalog or state. */
export async function writePrivateFile(folder: PluginFolder, name: string, content: string): Promise<string> {
  const file = path.join(folder.path, name);
  await writeFile(file, content, { mode: 0o600 });
  if (folder.uid !== undefined) await chown(file, folder.uid, folder.gid ?? folder.uid);
  return file;
}

/**
 * Runs `fn` with a run folder in the temp directory: one private 0700 sub-folder per plugin
 * process (config.json with its secrets, catalog.json, state.json, whatever it writes),
 * each owned by that process's own uid when the worker runs as root. The run folder
 * itself is 0711: a plugin can reach its own sub-folder by name but list nothing.
 * In every outcome the run's process groups and everything running under its uids are
 * killed, the uids released and the folder removed; `sweepStaleRunDirs` does the same for
 * folders a killed worker left (their name carries the owner's pid).
 */
export async function withRunDir<T>(fn: (run: RunDir) => Promise<T>): Promise<T> {
  const root = await mkdtemp(path.join(tmpdir(), `${PREFIX}${process.pid}-`));
  await chmod(root, isolatesPlugins() ? 0o711 : 0o700);
  const uids: number[] = [];
  const groups: number[] = [];
  const run: RunDir = {
    path: root,
    async pluginFolder(role) {
      const folder = path.join(root, role);
      await mkdir(folder, { mode: 0o700 });
      if (!isolatesPlugins()) return { path: folder };
      const uid = await leaseUid();
      uids.push(uid);
      await appendFile(path.join(root, 'uids'), `${uid}\n`, { mode: 0o600 });
      await chown(folder, uid, uid);
      return { path: folder, uid, gid: uid };
    },
    async recordProcessGroup(pgid) {
      groups.push(pgid);
      await appendFile(path.join(root, 'pgid'), `${pgid}\n`, { mode: 0o600 });
    },
  };
  try {
    return await fn(run);
  } finally {
    for (const pgid of groups) killGroup(pgid, 'SIGKILL');
    await releaseUids(uids);
    await rm(root, { recursive: true, force: true });
  }
}

const numbersIn = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 1);

/**
 * For run folders whose worker is gone (killed mid-run): stops the process groups and uids
 * it left running (or they would go on loading, unwatched, beside the retried run) and
 * removes the folder with its secrets. Returns how many it cleaned.
 */
export async function sweepStaleRunDirs(): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^sluice-run-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    const folder = path.join(tmpdir(), name);
    for (const pgid of await numbersIn(path.join(folder, 'pgid'))) killGroup(pgid, 'SIGKILL');
    await releaseUids(await numbersIn(path.join(folder, 'uids')));
    await rm(folder, { recursive: true, force: true });
    removed += 1;
  }
  await sweepStaleUids();
  return removed;
}

/**
 * Stops the plugin process groups of this process's runs (a worker shutting down): their
 * jobs are picked up again by a worker that stays, and resume from the last saved state.
 */
export async function stopOwnRuns(graceMs = 3_000): Promise<number> {
  const groups: number[] = [];
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(`${PREFIX}${process.pid}-`)) continue;
    groups.push(...(await numbersIn(path.join(tmpdir(), name, 'pgid'))));
  }
  for (const pgid of groups) killGroup(pgid, 'SIGTERM');
  if (groups.length > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  return groups.length;
}
