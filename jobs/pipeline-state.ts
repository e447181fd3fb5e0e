import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
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

/**
 * The pipeline's current Singer state, read straight from Meltano's system tables in our
 * Postgres (schema `meltano`, table `state`): a `meltano state get` would start Python
 * and add a second to every sync. Falls back to the CLI if the table is not as expected.
 */
export async function readState(deps: Pick<WorkerDeps, 'env' | 'db'>, stateId: string): Promise<Record<string, unknown> | undefined> {
  try {
    const rows = await deps.db.execute<{ completed_state: unknown; partial_state: unknown }>(sql`select completed_state, partial_state from meltano.state where state_id = ${stateId}`);
    const row = rows[0];
    if (!row) return undefined;
    const parse = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : ((v ?? {}) as Record<string, unknown>));
    const partial = parse(row.partial_state);
    // A finished run leaves nothing partial; if something is, Meltano's own merge rules apply: ask it.
    if (Object.keys(partial).length === 0) return (parse(row.completed_state).singer_state as Record<string, unknown> | undefined) ?? undefined;
  } catch {
    // not the table we know: ask Meltano
  }
  return readStateWithMeltano(deps, stateId);
}

async function readStateWithMeltano(deps: Pick<WorkerDeps, 'env'>, stateId: string): Promise<Record<string, unknown> | undefined> {
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
