import { lstat, mkdir, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { valuesOfKind } from './setting-kinds.js';

/**
 * File-path settings (`kind: file` in meltano.yml, `x-kind: file` in the config schema)
 * name files inside the tenant's own folder, `<SLUICE_FILES_DIR>/<tenant slug>/`, and
 * nowhere else: a path is relative to that folder, never goes up (`..`), and neither it
 * nor any file a glob in it can match leads out through a symlink. A path setting may be
 * nested in a list setting (tap-csv's `files[].path`): its JSON Schema marks it.
 */
export type PathVerdict = { ok: true; path: string } | { ok: false; reason: string };

const GLOB_CHARS = /[*?[\]{}]/;
/** How many folder entries a glob check looks at before giving up (and refusing). */
const MAX_ENTRIES = 20_000;

/** The file paths a config holds, top-level or nested (setting-kinds.ts). */
export const filePathsIn = (schema: Record<string, unknown>, config: Record<string, unknown>) => valuesOfKind(schema, config, 'file');

/** What is wrong with a path as written (no file system needed), or undefined. */
export function pathTextProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'must not contain a NUL character';
  if (path.isAbsolute(value) || value.startsWith('~')) return 'must be a path inside your files folder (for example orders/2024.jsonl), not a path from the root of the server';
  if (value.split(/[\\/]/).includes('..')) return 'must not go up a folder (".."): give a path inside your files folder';
  // fsspec-based taps read "http://…", "s3://…" and chained "a::http://…" paths as remote files.
  if (/[a-z0-9+.-]:\/\//i.test(value) || value.includes('::')) return 'must be a path inside your files folder, not a URL';
  return undefined;
}

export const tenantFolder = (filesDir: string, tenantSlug: string) => path.join(path.resolve(filesDir), tenantSlug);

const isInside = (root: string, candidate: string) => {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
};

async function exists(file: string) {
  return lstat(file).then(() => true, () => false);
}

/** The real path of `file`, or of its nearest existing parent folder when it does not exist yet. */
async function realOrParent(file: string): Promise<string> {
  for (let current = file; ; current = path.dirname(current)) {
    if (await exists(current)) return realpath(current).catch(() => current);
    if (path.dirname(current) === current) return current;
  }
}

/** Every symlink under `start` (followed where it stays inside `root`) must stay inside `root`. */
async function findEscape(root: string, start: string): Promise<string | undefined> {
  const queue = [start];
  const seen = new Set<string>();
  let entries = 0;
  while (queue.length > 0) {
    const dir = queue.shift()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      entries += 1;
      if (entries > MAX_ENTRIES) return `(more than ${MAX_ENTRIES} files to check; narrow the pattern)`;
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (target === undefined) continue; // a broken link reads nothing
        if (!isInside(root, target)) return path.relative(root, full);
        if ((await lstat(target)).isDirectory()) queue.push(target);
      } else if (entry.isDirectory()) queue.push(full);
    }
  }
  return undefined;
}

/**
 * Resolves a path setting for a run: the absolute path inside the tenant's folder, after
 * symlinks. A glob is checked by looking at every entry under its fixed leading folders,
 * so no file it could match (in any glob dialect) leads out.
 */
export async function resolveTenantPath(filesDir: string, tenantSlug: string, value: string): Promise<PathVerdict> {
  const problem = pathTextProblem(value);
  if (problem) return { ok: false, reason: problem };
  const folder = tenantFolder(filesDir, tenantSlug);
  await mkdir(folder, { recursive: true });
  const root = await realpath(folder);
  const joined = path.join(root, value);
  if (!isInside(root, joined)) return { ok: false, reason: 'must stay inside your files folder' };
  const segments = path.relative(root, joined).split(path.sep);
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const fixed = path.join(root, ...(firstGlob < 0 ? segments : segments.slice(0, firstGlob)));
  const real = await realOrParent(fixed);
  if (!isInside(root, real)) return { ok: false, reason: 'leads out of your files folder through a link; give a path inside it' };
  if (firstGlob >= 0) {
    // A folder that does not exist holds nothing a glob could match.
    if (!(await exists(fixed))) return { ok: true, path: joined };
    const escape = await findEscape(root, real);
    if (escape) return { ok: false, reason: `matches ${escape}, a link that leads out of your files folder` };
    return { ok: true, path: joined };
  }
  return { ok: true, path: (await exists(fixed)) ? real : joined };
}
