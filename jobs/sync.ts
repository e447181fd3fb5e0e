import type { Pipeline } from '../core/pipelines/service.js';
import { meltanoEnv } from '../meltano/project.js';
import { extraEnvName, settingsToEnv } from '../meltano/setting-env.js';
import { spawnMeltano } from '../meltano/spawn.js';
import { recordProcessGroup, withRunDir } from '../meltano/run-dir.js';
import type { WorkerDeps } from './deps.js';

export const DESTINATION_PLUGIN = 'target-clickhouse';

/** Singer selection and replication metadata for the pipeline's streams, as Meltano extras. */
function selectionEnv(tap: string, pipeline: Pipeline): Record<string, string> {
  const metadata = Object.fromEntries(
    pipeline.streams.map((s) => [s.stream, { 'replication-method': s.replication_method, ...(s.replication_key ? { 'replication-key': s.replication_key } : {}) }]),
  );
  return {
    [extraEnvName(tap, 'select')]: JSON.stringify(pipeline.streams.map((s) => `${s.stream}.*`)),
    [extraEnvName(tap, 'metadata')]: JSON.stringify(metadata),
  };
}

/**
 * `meltano run <tap> target-clickhouse` for one pipeline. The state id gets the pipeline id
 * as suffix, so each pipeline resumes incrementally from its own state.
 */
export async function runSync(
  deps: Pick<WorkerDeps, 'env'>,
  input: {
    tap: string;
    config: Record<string, unknown>;
    pipeline: Pipeline;
    /** A tenant's own target-clickhouse connector's settings; the platform ClickHouse otherwise. */
    destination?: Record<string, unknown> | undefined;
    fullRefresh?: boolean | undefined;
    timeoutMs: number;
    onLine: (line: string) => void;
    signal?: AbortSignal | undefined;
  },
) {
  return withRunDir((sysDir) =>
    // --force: a run whose worker was killed stays "running" in Meltano's records; Sluice
    // itself guarantees one sync per pipeline at a time.
    spawnMeltano(['--log-format=json', 'run', '--no-install', '--force', ...(input.fullRefresh ? ['--full-refresh'] : []), `--state-id-suffix=${input.pipeline.id}`, input.tap, DESTINATION_PLUGIN], {
      env: meltanoEnv(deps.env.DATABASE_URL, {
        MELTANO_SYS_DIR_ROOT: sysDir,
        ...settingsToEnv(input.tap, input.config),
        ...selectionEnv(input.tap, input.pipeline),
        ...settingsToEnv(DESTINATION_PLUGIN, {
          ...(input.destination ?? { url: deps.env.CLICKHOUSE_URL, user: deps.env.CLICKHOUSE_USER, password: deps.env.CLICKHOUSE_PASSWORD }),
          database: input.pipeline.destinationDatabase,
        }),
      }),
      onLine: input.onLine,
      onSpawn: (pid) => recordProcessGroup(sysDir, pid),
      timeoutMs: input.timeoutMs,
      signal: input.signal,
    }),
  );
}
