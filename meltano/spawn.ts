import { execa } from 'execa';
import { meltanoBin, projectRoot } from './project.js';

export type SpawnResult = { exitCode: number | undefined; timedOut: boolean; cancelled: boolean; signal: string | undefined };

export type SpawnOptions = {
  /** The child's whole environment (see meltanoEnv); never merged with ours. */
  env: Record<string, string>;
  onLine: (line: string) => void | Promise<void>;
  signal?: AbortSignal;
  timeoutMs?: number;
};

/** Meltano subcommands and their arguments we pass are validated names, never shell text. */
const SAFE_ARG = /^[A-Za-z0-9_.:=\/@,+-]+$/;

/**
 * Spawns `meltano <args>` without a shell and hands every output line (stdout and stderr,
 * in order) to `onLine`. Never throws for a non-zero exit: the caller reads the result.
 *
 * @example
 * await spawnMeltano(['--log-format=json', 'run', 'tap-postgres', 'target-clickhouse'], { env, onLine });
 */
export async function spawnMeltano(args: string[], options: SpawnOptions): Promise<SpawnResult> {
  const bad = args.find((arg) => !SAFE_ARG.test(arg));
  if (bad !== undefined) throw new Error(`Refusing to pass an unsafe argument to meltano: ${JSON.stringify(bad)}`);
  const child = execa(meltanoBin, args, {
    cwd: projectRoot,
    env: options.env,
    extendEnv: false,
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    forceKillAfterDelay: 5_000,
  });
  for await (const line of child.iterable({ from: 'all' })) {
    await options.onLine(line);
  }
  const result = await child;
  return { exitCode: result.exitCode, timedOut: result.timedOut, cancelled: result.isCanceled, signal: result.signal };
}
