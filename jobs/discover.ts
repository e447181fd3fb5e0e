import type { DiscoveredStream } from '../db/schema/index.js';
import { meltanoEnv } from '../meltano/project.js';
import { withRunDir, recordProcessGroup } from '../meltano/run-dir.js';
import { settingsToEnv } from '../meltano/setting-env.js';
import { spawnMeltano, type SpawnResult } from '../meltano/spawn.js';
import type { WorkerDeps } from './deps.js';

type CatalogEntry = {
  tap_stream_id?: string;
  stream?: string;
  key_properties?: string[];
  schema?: { properties?: Record<string, unknown> };
  metadata?: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
};

/** The wizard's view of a catalog: streams, their properties, keys and what they can replicate by. */
export function streamsOf(catalog: { streams?: CatalogEntry[] }): DiscoveredStream[] {
  return (catalog.streams ?? []).map((entry) => {
    const top = entry.metadata?.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
    const replicationKeys = (top['valid-replication-keys'] as string[] | undefined) ?? [];
    const forced = top['forced-replication-method'] as string | undefined;
    return {
      stream: entry.tap_stream_id ?? entry.stream ?? '',
      properties: entry.schema?.properties ?? {},
      key_properties: (top['table-key-properties'] as string[] | undefined) ?? entry.key_properties ?? [],
      replication_keys: replicationKeys,
      replication_methods: forced ? [forced] : replicationKeys.length > 0 ? ['FULL_TABLE', 'INCREMENTAL'] : ['FULL_TABLE'],
    };
  });
}

/** Runs the tap's discovery through Meltano and returns its catalog (stdout), logging the rest. */
export async function discoverCatalog(
  deps: Pick<WorkerDeps, 'env'>,
  input: { plugin: string; config: Record<string, unknown>; onLine: (line: string) => void; signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<{ result: SpawnResult; catalog?: { streams?: CatalogEntry[] } }> {
  const stdout: string[] = [];
  const result = await withRunDir((sysDir) =>
    spawnMeltano(['--log-format=json', 'invoke', '--no-install', '--dump=catalog', input.plugin], {
      env: meltanoEnv(deps.env.DATABASE_URL, { MELTANO_SYS_DIR_ROOT: sysDir, ...settingsToEnv(input.plugin, input.config) }),
      onLine: (line, from) => (from === 'stdout' ? void stdout.push(line) : input.onLine(line)),
      onSpawn: (pid) => recordProcessGroup(sysDir, pid),
      signal: input.signal,
      timeoutMs: input.timeoutMs,
    }),
  );
  if (result.exitCode !== 0) return { result };
  try {
    return { result, catalog: JSON.parse(stdout.join('\n')) as { streams?: CatalogEntry[] } };
  } catch {
    input.onLine('The tap printed a catalog that is not valid JSON.');
    return { result: { ...result, exitCode: 1 } };
  }
}
