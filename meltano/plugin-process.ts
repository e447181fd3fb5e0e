import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { closeOsPipe, openOsPipe, type OsPipe } from './os-pipe.js';
import { pluginEnv } from './project.js';
import type { RunDir, PluginFolder } from './run-dir.js';
import { killGroup, type SpawnResult } from './spawn.js';

/** What Sluice needs to run a plugin: its catalog row (or meltano.yml definition). */
export type PluginSpec = { name: string; kind: 'extractor' | 'loader'; executable: string; pipUrl?: string | null | undefined; settings: readonly unknown[]; capabilities?: readonly string[] | undefined };

/**
 * How a tap is handed the streams to sync: `--catalog`, or `--properties` for the older taps
 * that read only that (capability `properties` without `catalog`; given --catalog they sync nothing).
 */
export const catalogArgs = (capabilities: readonly string[] | undefined, file = 'catalog.json') =>
  capabilities?.includes('properties') && !capabilities.includes('catalog') ? ['--properties', file] : ['--catalog', file];

/** Which process a log line came from. */
export type LineSource = { plugin: string; role: 'tap' | 'target' };

export type PluginProcess = {
  /** The plugin's name, for messages. */
  name: string;
  executable: string;
  /** Arguments are file names we chose and fixed flags, never user text. */
  args: string[];
  folder: PluginFolder;
  onStderr: (line: string) => void;
  /** The stdout of the last process (a lone tap's Singer messages, or the target's STATE lines). */
  onStdout?: (line: string) => void;
};

const GRACE_MS = 5_000;

function start(p: PluginProcess, stdin: 'ignore' | Readable | number, stdout: 'pipe' | number = 'pipe'): ChildProcess {
  return spawn(p.executable, p.args, {
    cwd: p.folder.path,
    // Built from scratch: nothing of ours (database URL, master key, other plugins' settings).
    env: pluginEnv(p.folder.path),
    ...(p.folder.uid === undefined ? {} : { uid: p.folder.uid, gid: p.folder.gid ?? p.folder.uid }),
    stdio: [stdin, stdout, 'pipe'],
    // A process group of its own, so cancel and timeouts stop whatever it starts too.
    detached: true,
  });
}

const lines = async (stream: Readable | null, onLine: ((line: string) => void) | undefined) => {
  if (!stream) return;
  if (!onLine) {
    stream.resume();
    return;
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) onLine(line);
};

type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException };
const exited = (child: ChildProcess) =>
  new Promise<Exit>((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    child.once('error', (e: NodeJS.ErrnoException) => {
      error = e;
      // A process that never started emits no 'close' in some Node versions.
      if (child.pid === undefined) resolve({ code: null, signal: null, error: e });
    });
    child.once('close', (code, signal) => resolve({ code, signal, ...(error ? { error } : {}) }));
  });

/**
 * Starts the tap, and the target reading the tap's stdout: through `pipe` when there is one,
 * a socket pair otherwise. No target when the tap did not start.
 */
function startLinked(tapProcess: PluginProcess, targetProcess: PluginProcess, pipe: OsPipe | undefined): [ChildProcess, ChildProcess | undefined] {
  if (pipe) {
    try {
      const tap = start(tapProcess, 'ignore', pipe.write);
      return [tap, tap.pid === undefined ? undefined : start(targetProcess, pipe.read)];
    } finally {
      // The children hold their ends now. Ours closed, EOF reaches the target when the tap
      // exits, and EPIPE the tap when the target dies.
      closeOsPipe(pipe);
    }
  }
  const tap = start(tapProcess, 'ignore');
  if (tap.pid === undefined || !tap.stdout) return [tap, undefined];
  const target = start(targetProcess, tap.stdout);
  // The target holds the socket's other end now; ours closed, the tap gets EPIPE if the target dies.
  tap.stdout.destroy();
  return [tap, target];
}

/**
 * Runs one plugin process, or a tap piped into a target (the tap's stdout is the target's
 * stdin, a kernel pipe made by openOsPipe: Sluice never holds the records). Each runs as its
 * own uid in its own folder and process group, with an environment of its own. Cancel and the time limit
 * stop both (SIGTERM, then SIGKILL after 5 s). Never throws for a failing plugin: the
 * result says how it ended; the exit code is the target's when the target failed (the tap
 * then only died of the broken pipe), the tap's otherwise.
 */
export async function runPlugins(
  run: Pick<RunDir, 'path' | 'recordProcessGroup'>,
  processes: [PluginProcess] | [PluginProcess, PluginProcess],
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
): Promise<SpawnResult> {
  if (options.signal?.aborted) return { exitCode: undefined, timedOut: false, cancelled: true, signal: undefined };
  const [first, second] = processes;
  const [tap, target] = second ? startLinked(first, second, await openOsPipe(run.path)) : [start(first, 'ignore'), undefined];
  const children = target ? [tap, target] : [tap];
  // Exit watchers and output readers attach before anything is awaited: a child that fails at
  // once must neither lose its only error line nor emit an 'error' no one listens to (a crash).
  const procs = second && target ? [first, second] : [first];
  const exiting = Promise.all(children.map(exited));
  // The last process's stdout is ours to read (a piped tap's went to the target).
  const pumps = Promise.all(children.flatMap((child, i) => [lines(child.stderr, procs[i]!.onStderr), ...(i === children.length - 1 ? [lines(child.stdout, procs[i]!.onStdout)] : [])]));
  pumps.catch(() => undefined);

  let stopped: 'cancelled' | 'timedOut' | undefined;
  let forceTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'cancelled' | 'timedOut') => {
    if (stopped) return;
    stopped = why;
    for (const child of children) if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM');
    forceTimer = setTimeout(() => {
      for (const child of children) if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    }, GRACE_MS);
  };
  const onAbort = () => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) stop('cancelled');
  const timeout = options.timeoutMs ? setTimeout(() => stop('timedOut'), options.timeoutMs) : undefined;
  try {
    for (const child of children) if (child.pid !== undefined) await run.recordProcessGroup(child.pid);
    const exits = await exiting;
    await pumps;
    exits.forEach((exit, i) => {
      if (exit.error && children[i]!.pid === undefined) procs[i]!.onStderr(`ERROR ${procs[i]!.name} could not be started (${exit.error.code ?? 'error'}): is it installed on this worker?`);
    });
    if (second && !target) return { exitCode: 127, timedOut: false, cancelled: false, signal: undefined };
    const failed = exits.length === 2 && exits[1]!.code !== 0 ? exits[1]! : exits[0]!.code !== 0 ? exits[0]! : exits[1] ?? exits[0]!;
    return {
      exitCode: failed.error && failed.code === null && !failed.signal ? 127 : (failed.code ?? undefined),
      timedOut: stopped === 'timedOut',
      cancelled: stopped === 'cancelled',
      signal: failed.signal ?? undefined,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearTimeout(timeout);
    clearTimeout(forceTimer);
    // Whatever the outcome, nothing of the groups outlives the run (withRunDir also kills by uid).
    for (const child of children) if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  }
}
