import { execa } from 'execa';
import { meltanoBin, projectRoot } from './project.js';

export type SpawnResult = { exitCode: number | undefined; timedOut: boolean; cancelled: boolean; signal: string | undefined };

export type SpawnOptions = {
  /** The child's whole environment (see meltanoEnv); never merged with ours. */
  env: Record<string, string>;
  /** Every output line, in order per stream. Meltano logs on stderr; taps print Singer messages on stdout. */
  onLine: (line: string, from: 'stdout' | 'stderr') => void | Promise<void>;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Called with the pid once started: it is also the process group of Meltano and its plugins. */
  onSpawn?: (pid: number) => void | Promise<void>;
};

/** Meltano subcommands and their arguments we pass are validated names, never shell text. */
const SAFE_ARG = /^[A-Za-z0-9_.:=\/@,+-]+$/;
const GRACE_MS = 5_000;

/** Signals a whole process group, ignoring one that is already gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already exited
  }
}

/**
 * Spawns `meltano <args>` without a shell, in a process group of its own so that cancel
 * and timeout stop the tap and target too (SIGTERM, then SIGKILL after 5 s). Never throws
 * for a non-zero exit: the caller reads the result.
 *
 * @example
 * await spawnMeltano(['--log-format=json', 'run', 'tap-postgres', 'target-clickhouse'], { env, onLine });
 */
export async function spawnMeltano(args: string[], options: SpawnOptions): Promise<SpawnResult> {
  const bad = args.find((arg) => !SAFE_ARG.test(arg));
  if (bad !== undefined) throw new Error(`Refusing to pass an unsafe argument to meltano: ${JSON.stringify(bad)}`);
  if (options.signal?.aborted) return { exitCode: undefined, timedOut: false, cancelled: true, signal: undefined };
  const child = execa(meltanoBin, args, { cwd: projectRoot, env: options.env, extendEnv: false, buffer: false, reject: false, stdin: 'ignore', detached: true });
  const pid = child.pid!;
  await options.onSpawn?.(pid);
  let stopped: 'cancelled' | 'timedOut' | undefined;
  let forceTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'cancelled' | 'timedOut') => {
    if (stopped) return;
    stopped = why;
    killGroup(pid, 'SIGTERM');
    forceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), GRACE_MS);
  };
  const onAbort = () => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort);
  // An abort that came while we awaited onSpawn fired no event for this listener.
  if (options.signal?.aborted) stop('cancelled');
  const timeout = options.timeoutMs ? setTimeout(() => stop('timedOut'), options.timeoutMs) : undefined;
  try {
    const pump = async (from: 'stdout' | 'stderr') => {
      for await (const line of child.iterable({ from })) await options.onLine(line, from);
    };
    await Promise.all([pump('stdout'), pump('stderr')]);
    const result = await child;
    return { exitCode: result.exitCode, timedOut: stopped === 'timedOut', cancelled: stopped === 'cancelled', signal: result.signal };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearTimeout(timeout);
    clearTimeout(forceTimer);
    // Whatever the outcome, nothing of the group outlives the run.
    killGroup(pid, 'SIGKILL');
  }
}
