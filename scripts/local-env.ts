import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../meltano/project.js';

export const dataDir = path.join(projectRoot, '.data');

/**
 * The PostgreSQL server that holds test and demo sources (setup.sh starts it on 5433): not
 * the platform's own, which connectors may never reach. Test/dev config, not a platform setting.
 */
export const sourceDatabaseUrl = (base: NodeJS.ProcessEnv = process.env) => base.SLUICE_SOURCE_DATABASE_URL || 'postgres://postgres@127.0.0.1:5433/postgres';

/** The SLUICE_ALLOWED_SOURCE_NETWORKS entry that lets connectors reach exactly that server. */
export function sourceAllowance(base: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(sourceDatabaseUrl(base));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host.includes(':') ? `[${host}]/128:${url.port || 5432}` : `${host}/32:${url.port || 5432}`;
}

/**
 * Local defaults for `up` and tests: the master key setup.sh generated in .data/ (production
 * sets SLUICE_MASTER_KEY itself). Returns the environment for our child processes.
 */
export async function localEnv(base: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const env = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  if (!env.SLUICE_MASTER_KEY) env.SLUICE_MASTER_KEY = (await readFile(path.join(dataDir, 'master.key'), 'utf8')).trim();
  // The ClickHouse setup.sh found or started (18.16, no SQL users): each workspace's login is a file in its users.d.
  const usersDir = await readPrivate('clickhouse-users-dir');
  if (!env.CLICKHOUSE_URL && !env.SLUICE_CLICKHOUSE_USERS_DIR && usersDir) env.SLUICE_CLICKHOUSE_USERS_DIR = usersDir;
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
