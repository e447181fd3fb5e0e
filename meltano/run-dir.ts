import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dir } from 'tmp-promise';
import { projectRoot } from './project.js';

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

/** Removes run folders whose owning process is gone (a worker killed mid-run). Returns how many. */
export async function sweepStaleRunDirs(): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^sluice-run-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    await rm(path.join(tmpdir(), name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
