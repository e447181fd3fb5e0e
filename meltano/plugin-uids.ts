import { randomInt } from 'node:crypto';
import { mkdir, open, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Numeric user ids for plugin processes. When the worker runs as root, every plugin process
 * (a tap, a target) runs under a uid of its own, taken from a range no account uses, so it
 * can open neither another run's folder nor anything of the platform's that is not
 * world-readable. A lease is a file named after the uid, created exclusively and holding
 * the worker's pid: two workers on one machine never hand out the same uid, and a dead
 * worker's leases are swept (after killing whatever still runs under them).
 */
const LEASES = path.join(tmpdir(), 'sluice-plugin-uids');
let range = { from: 200_000, to: 299_999 };

/** `SLUICE_PLUGIN_UIDS`, e.g. `200000-299999` (validated by core/env.ts). */
export function configurePluginUids(spec: string) {
  const [from, to] = spec.split('-').map(Number) as [number, number];
  range = { from, to };
}

/** Plugins get their own uid only when we may switch to one: the worker runs as root. */
export const isolatesPlugins = () => process.getuid?.() === 0;

export async function leaseUid(): Promise<number> {
  await mkdir(LEASES, { recursive: true, mode: 0o700 });
  for (let tries = 0; tries < 1000; tries += 1) {
    const uid = range.from + randomInt(range.to - range.from + 1);
    try {
      const file = await open(path.join(LEASES, String(uid)), 'wx', 0o600);
      await file.writeFile(String(process.pid));
      await file.close();
      return uid;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error('No free plugin user id: widen SLUICE_PLUGIN_UIDS.');
}

/** Every process running as one of `uids` (real or effective), read from /proc in one pass. */
async function processesOf(uids: ReadonlySet<number>): Promise<number[]> {
  const pids: number[] = [];
  const names = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  await Promise.all(
    names.map(async (name) => {
      const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
      const ids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
      if (ids && (uids.has(Number(ids[1])) || uids.has(Number(ids[2])))) pids.push(Number(name));
    }),
  );
  return pids;
}

/**
 * Kills everything running under the plugin uids: a plugin that left its process group
 * (setsid, a daemon) is still found by its uid, so nothing of a run outlives it. One look
 * through /proc serves all of a run's uids (a look costs tens of milliseconds, paid at the
 * end of every sync).
 */
export async function killUids(uids: readonly number[]) {
  if (uids.length === 0) return;
  const wanted = new Set(uids);
  for (let round = 0; round < 5; round += 1) {
    const pids = await processesOf(wanted);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Frees plugin uids for other runs once nothing runs under them any more. */
export async function releaseUids(uids: readonly number[]) {
  await killUids(uids);
  await Promise.all(uids.map((uid) => rm(path.join(LEASES, String(uid)), { force: true })));
}

/** Whether a process still exists (one of another user answers EPERM: it exists). */
export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Leases of workers that are gone: their processes are killed and the uids freed. */
export async function sweepStaleUids(): Promise<number> {
  let swept = 0;
  for (const name of await readdir(LEASES).catch(() => [] as string[])) {
    const owner = Number(await readFile(path.join(LEASES, name), 'utf8').catch(() => ''));
    if (!owner || owner === process.pid || isAlive(owner)) continue;
    await releaseUids([Number(name)]);
    swept += 1;
  }
  return swept;
}

/**
 * Why a file cannot be run by a plugin uid (which is in no group of ours): a folder on its
 * real path others may not enter, or the file itself not readable and executable by others.
 * Undefined when it can. The worker checks the plugins' interpreters with it at start.
 */
export async function notRunnableByOthers(file: string): Promise<string | undefined> {
  const real = await realpath(file).catch(() => undefined);
  if (!real) return undefined;
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return `${dir} may not be entered by other users (chmod o+x)`;
    if (dir === path.dirname(dir)) break;
  }
  if (((await stat(real)).mode & 0o005) !== 0o005) return `${real} may not be read and run by other users (chmod o+rx)`;
  return undefined;
}
