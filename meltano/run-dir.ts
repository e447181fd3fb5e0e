import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dir } from 'tmp-promise';
import { projectRoot } from './project.js';

const PREFIX = 'sluice-run-';

/**
 * Runs `fn` with a private Meltano system directory (MELTANO_SYS_DIR_ROOT): a 0700 temp
 * folder where Meltano writes the plugins' config files (secrets included) and its run
 * logs. The installed plugin venvs are linked in, not copied. The folder is removed in
 * every outcome; `sweepStaleRunDirs` removes the ones a killed worker left behind.
 */
export async function withRunDir<T>(fn: (sysDir: string) => Promise<T>): Promise<T> {
  const tmp = await dir({ prefix: PREFIX, mode: 0o700, unsafeCleanup: true });
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

/** Removes run folders older than `olderThanMs` (left by a worker that was killed). */
export async function sweepStaleRunDirs(olderThanMs = 0): Promise<number> {
  const { stat } = await import('node:fs/promises');
  let removed = 0;
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const full = path.join(tmpdir(), name);
    const info = await stat(full).catch(() => undefined);
    if (!info || Date.now() - info.mtimeMs < olderThanMs) continue;
    await rm(full, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
