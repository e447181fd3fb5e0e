import { meltanoEnv } from '../meltano/project.js';
import { settingsToEnv } from '../meltano/setting-env.js';
import { spawnMeltano } from '../meltano/spawn.js';
import { withRunDir } from '../meltano/run-dir.js';
import type { WorkerDeps } from './deps.js';

const TEST_TIMEOUT_MS = 120_000;

/** `meltano config test <tap>`: the tap runs until its first record, then stops. */
export async function runConnectionTest(
  deps: Pick<WorkerDeps, 'env'>,
  input: { plugin: string; config: Record<string, unknown>; onLine: (line: string) => void; signal?: AbortSignal },
) {
  return withRunDir((sysDir) =>
    spawnMeltano(['--log-format=json', 'config', 'test', '--no-install', input.plugin], {
      env: meltanoEnv(deps.env.DATABASE_URL, { MELTANO_SYS_DIR_ROOT: sysDir, ...settingsToEnv(input.plugin, input.config) }),
      onLine: input.onLine,
      timeoutMs: TEST_TIMEOUT_MS,
      ...(input.signal ? { signal: input.signal } : {}),
    }),
  );
}
