import path from 'node:path';
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
  /** Open file descriptors the child inherits (as fd 3, 4, …): a lock it holds for as long as it runs. */
  keepOpen?: number[];
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
  return spawnInGroup(meltanoBin, args, projectRoot, options);
}

/**
 * Runs an executable (no shell) in a process group of its own, reading its output line by
 * line; what spawnMeltano does, for any program. A program that cannot be started at all
 * (missing, not executable) ends with exit code 127 and one line saying so, never a throw.
 */
export async function spawnInGroup(file: string, args: string[], cwd: string, options: SpawnOptions): Promise<SpawnResult> {
  if (options.signal?.aborted) return { exitCode: undefined, timedOut: false, cancelled: true, signal: undefined };
  // execa passes an fd number at index 3+ on to the child as Node does (its types only list them for 0-2).
  const stdio = ['ignore', 'pipe', 'pipe', ...(options.keepOpen ?? [])] as unknown as ['ignore', 'pipe', 'pipe'];
  const child = execa(file, args, { cwd, env: options.env, extendEnv: false, buffer: false, reject: false, stdio, detached: true });
  // Readers first, before anything is awaited: with buffer: false, what the child prints
  // before they attach is gone (a child that fails at once would lose its only error line).
  const pump = async (from: 'stdout' | 'stderr') => {
    for await (const line of child.iterable({ from })) await options.onLine(line, from);
  };
  const pumped = Promise.all([pump('stdout'), pump('stderr')]);
  // Awaited below; a throwing onSpawn must not leave it an unhandled rejection meanwhile.
  pumped.catch(() => undefined);
  const pid = child.pid;
  if (pid === undefined) {
    // Never started: no process group to stop, no output to wait for.
    const result = await child;
    await pumped.catch(() => undefined);
    await options.onLine(`ERROR ${path.basename(file)} could not be started (${errorCode(result)}): is it installed on this worker?`, 'stderr');
    return { exitCode: 127, timedOut: false, cancelled: false, signal: undefined };
  }
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
  const timeout = options.timeoutMs ? setTimeout(() => stop('timedOut'), options.timeoutMs) : undefined;
  try {
    await options.onSpawn?.(pid);
    // An abort that came while we awaited onSpawn is handled by the listener registered before it.
    await pumped;
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

const errorCode = (result: { code?: string | undefined }) => result.code ?? 'error';
