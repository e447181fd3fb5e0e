import { meltanoEnv } from '../meltano/project.js';
import { recordProcessGroup, withRunDir } from '../meltano/run-dir.js';
import { extraEnvName, settingsToEnv } from '../meltano/setting-env.js';
import { spawnMeltano } from '../meltano/spawn.js';
import type { WorkerDeps } from './deps.js';

/**
 * The first `limit` records of one stream, straight from the tap, so a user sees real rows
 * before the first sync. The tap is stopped as soon as it has printed them.
 */
export async function previewStream(
  deps: Pick<WorkerDeps, 'env'>,
  input: { plugin: string; config: Record<string, unknown>; stream: string; limit: number; onLine: (line: string) => void; signal?: AbortSignal | undefined; timeoutMs: number },
) {
  const records: Array<Record<string, unknown>> = [];
  const enough = new AbortController();
  const stop = () => enough.abort();
  input.signal?.addEventListener('abort', stop);
  try {
    const result = await withRunDir((sysDir) =>
      spawnMeltano(['--log-format=json', 'invoke', '--no-install', input.plugin], {
        env: meltanoEnv(deps.env.DATABASE_URL, {
          MELTANO_SYS_DIR_ROOT: sysDir,
          ...settingsToEnv(input.plugin, input.config),
          [extraEnvName(input.plugin, 'select')]: JSON.stringify([`${input.stream}.*`]),
        }),
        onLine: (line, from) => {
          if (from === 'stderr') return input.onLine(line);
          if (records.length >= input.limit || !line.startsWith('{')) return;
          try {
            const message = JSON.parse(line) as { type?: string; stream?: string; record?: Record<string, unknown> };
            if (message.type === 'RECORD' && message.stream === input.stream && message.record) records.push(message.record);
          } catch {
            return;
          }
          if (records.length >= input.limit) stop();
        },
        onSpawn: (pid) => recordProcessGroup(sysDir, pid),
        signal: enough.signal,
        timeoutMs: input.timeoutMs,
      }),
    );
    const complete = records.length >= input.limit || result.exitCode === 0;
    return { records, result: { ...result, cancelled: result.cancelled && !complete && input.signal?.aborted === true, exitCode: complete ? 0 : result.exitCode } };
  } finally {
    input.signal?.removeEventListener('abort', stop);
  }
}
