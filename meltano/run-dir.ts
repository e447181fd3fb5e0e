import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dir } from 'tmp-promise';
import { projectRoot } from './project.js';
import { killGroup } from './spawn.js';

const PREFIX = 'sluice-run-';

/**
 * Runs `fn` with a private Meltano system directory (MELTANO_SYS_DIR_ROOT): a 0700 temp
 * folder where Meltano writes the plugins' config files (secrets included), the catalog it
 * discovers for this connector, and its run logs. The installed plugin venvs are linked
 * in, not copied. The folder is removed in every outcome; `sweepStaleRunDirs` removes the
 * ones a killed worker left behind. The folder name carries the owner's pid for that.
 */
export async function withRunDir<T>(fn: (sysDir: string) => Promise<T>): Promise<T> {
  const tmp = await dir({ prefix: `${PREFIX}${process.pid}-`, mode: 0o700, unsafeCleanup: true });
  try {
    const shared = path.join(projectRoot, '.meltano');
    for (const kind of ['extractors', 'loaders', 'mappers', 'utilities']) {
      await mkdir(path.join(shared, kind), { recursive: true });
      await symlink(path.join(shared, kind), path.join(tmp.path, kind));
    }
    return await fn(tmp.path);
  } finally {
    await tmp.cleanup();
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Notes the Meltano process group in the run folder, so a sweep can stop it if its worker dies. */
export const recordProcessGroup = (sysDir: string, pgid: number) => writeFile(path.join(sysDir, 'pgid'), String(pgid));

/**
 * For run folders whose worker is gone (killed mid-run): stops the Meltano process group it
 * left running (or it would go on loading, unwatched, beside the retried run) and removes
 * the folder with its secrets. Returns how many it cleaned.
 */
export async function sweepStaleRunDirs(): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^sluice-run-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    const folder = path.join(tmpdir(), name);
    const pgid = Number(await readFile(path.join(folder, 'pgid'), 'utf8').catch(() => ''));
    if (pgid > 1) killGroup(pgid, 'SIGKILL');
    await rm(folder, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/**
 * Stops the Meltano process groups of this process's runs (a worker shutting down): their
 * jobs are picked up again by a worker that stays, and resume from the last saved state.
 */
export async function stopOwnRuns(graceMs = 3_000): Promise<number> {
  const groups: number[] = [];
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(`${PREFIX}${process.pid}-`)) continue;
    const pgid = Number(await readFile(path.join(tmpdir(), name, 'pgid'), 'utf8').catch(() => ''));
    if (pgid > 1) groups.push(pgid);
  }
  for (const pgid of groups) killGroup(pgid, 'SIGTERM');
  if (groups.length > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  return groups.length;
}
