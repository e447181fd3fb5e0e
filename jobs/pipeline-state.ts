import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { meltanoEnv, meltanoEnvironment } from '../meltano/project.js';
import { withRunDir } from '../meltano/run-dir.js';
import { spawnMeltano } from '../meltano/spawn.js';
import type { WorkerDeps } from './deps.js';
import { DESTINATION_PLUGIN } from './sync.js';

/** Meltano's state id for a pipeline: one per pipeline, so each resumes from its own bookmarks. */
export const stateIdOf = (tap: string, pipelineId: string) => `${meltanoEnvironment}:${tap}-to-${DESTINATION_PLUGIN}:${pipelineId}`;

async function meltanoState(deps: Pick<WorkerDeps, 'env'>, args: string[], file?: { name: string; content: string }) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const result = await withRunDir(async (sysDir) => {
    const extra: string[] = [];
    if (file) {
      const target = path.join(sysDir, file.name);
      await writeFile(target, file.content, { mode: 0o600 });
      extra.push(`--input-file=${target}`);
    }
    return spawnMeltano(['state', ...args, ...extra], {
      env: meltanoEnv(deps.env.DATABASE_URL, { MELTANO_SYS_DIR_ROOT: sysDir }),
      onLine: (line, from) => void (from === 'stdout' ? stdout : stderr).push(line),
      timeoutMs: 60_000,
    });
  });
  if (result.exitCode !== 0) throw new Error(`meltano state ${args[0]} failed: ${stderr.slice(-3).join(' ')}`);
  return stdout.join('\n');
}

/** The pipeline's current Singer state in Meltano, or undefined when it has none. */
export async function readState(deps: Pick<WorkerDeps, 'env'>, stateId: string): Promise<Record<string, unknown> | undefined> {
  const text = await meltanoState(deps, ['get', stateId]).catch((error: Error) => {
    if (/No state|not found|does not exist/i.test(error.message)) return '';
    throw error;
  });
  if (text.trim() === '') return undefined;
  const parsed = JSON.parse(text) as { singer_state?: Record<string, unknown> };
  return parsed.singer_state ?? undefined;
}

/** Replaces the pipeline's state in Meltano (a rollback or an edit), or clears it. */
export async function writeState(deps: Pick<WorkerDeps, 'env'>, stateId: string, state: Record<string, unknown> | null): Promise<void> {
  if (state === null) {
    await meltanoState(deps, ['clear', '--force', stateId]);
    return;
  }
  await meltanoState(deps, ['set', '--force', stateId], { name: 'state.json', content: JSON.stringify({ singer_state: state }) });
}
