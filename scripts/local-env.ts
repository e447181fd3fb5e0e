import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../meltano/project.js';

export const dataDir = path.join(projectRoot, '.data');

/**
 * Local defaults for `up` and tests: the master key setup.sh generated in .data/ (production
 * sets SLUICE_MASTER_KEY itself). Returns the environment for our child processes.
 */
export async function localEnv(base: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const env = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  if (!env.SLUICE_MASTER_KEY) env.SLUICE_MASTER_KEY = (await readFile(path.join(dataDir, 'master.key'), 'utf8')).trim();
  return env;
}

/** A small file in .data/ readable only by us (the local owner token). */
export async function readPrivate(name: string): Promise<string | undefined> {
  return readFile(path.join(dataDir, name), 'utf8').then((s) => s.trim(), () => undefined);
}

export async function writePrivate(name: string, value: string): Promise<void> {
  const file = path.join(dataDir, name);
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
