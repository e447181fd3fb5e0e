import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { venvPython } from './project.js';

/** Both ends of a kernel pipe, as file descriptors of this process (close-on-exec, as Node opens every file). */
export type OsPipe = { read: number; write: number };

const NAME = 'tap-to-target';

/**
 * A pipe holds 64 KiB unless asked for more. A target that reads a megabyte at a time then
 * wakes for every 64 KiB the tap writes, and the two take turns far more often than they
 * need to: a 1 MiB pipe made a 1M-row sync about 10% faster on 2 cores (BENCHMARKS.md).
 * 1 MiB is Linux's limit for an unprivileged process (/proc/sys/fs/pipe-max-size).
 */
const PIPE_BYTES = 1 << 20;
/** fcntl's F_SETPIPE_SZ on Linux. */
const F_SETPIPE_SZ = 1031;

/**
 * A real pipe for a tap's stdout into a target's stdin. Node's `stdio: 'pipe'` links children
 * with a socket pair, and a tap that flushes every record (every Singer SDK tap) writes into
 * a socket measurably slower than into a pipe. Node has no pipe(2), so: a FIFO in the run
 * folder, opened read-write first (on Linux that never blocks, and it counts as a reader and
 * a writer), so that opening each end alone returns at once too; then the read-write fd is
 * closed, or the reader would never see EOF. The FIFO is 0600 and the worker's: the children
 * inherit the open ends and never open it by name, so no plugin uid needs access to it. It is
 * removed as soon as the ends are open (withRunDir removes it too, should we die first).
 * Undefined when any step fails (no mkfifo on this machine): the caller links the children
 * the old way.
 *
 * @example
 * const pipe = await openOsPipe(run.path);
 * spawn(tap, args, { stdio: ['ignore', pipe.write, 'pipe'] }); spawn(target, args, { stdio: [pipe.read, 'pipe', 'pipe'] });
 * closeOsPipe(pipe); // ours: EOF reaches the target when the tap ends, EPIPE the tap when the target does
 */
export async function openOsPipe(folder: string): Promise<OsPipe | undefined> {
  const file = path.join(folder, NAME);
  const opened: number[] = [];
  try {
    await promisify(execFile)('mkfifo', ['-m', '600', '--', file], { env: { PATH: '/usr/bin:/bin' }, timeout: 10_000 });
    opened.push(openSync(file, constants.O_RDWR));
    const read = openSync(file, constants.O_RDONLY);
    opened.push(read);
    const write = openSync(file, constants.O_WRONLY);
    closeSync(opened[0]!);
    await enlargePipe(read);
    return { read, write };
  } catch {
    for (const fd of opened) closeSync(fd);
    return undefined;
  } finally {
    // Nothing can open it by name from here on; should this fail, withRunDir removes it.
    await rm(file, { force: true }).catch(() => undefined);
  }
}

/** Closes this process's ends, once the children that use them have started. */
export function closeOsPipe(pipe: OsPipe) {
  closeSync(pipe.read);
  closeSync(pipe.write);
}

/**
 * Asks the kernel for a larger pipe behind `fd`. Node has no fcntl, so the Python that runs
 * Meltano does it on the fd given as its stdin (~15 ms, no site packages). Best effort: a
 * refusal (the user's pipe quota in /proc/sys/fs/pipe-user-pages-soft, an old kernel) keeps
 * the pipe as it was, which works, only slower.
 */
export function enlargePipe(fd: number, bytes = PIPE_BYTES): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(venvPython, ['-I', '-S', '-c', `import fcntl; fcntl.fcntl(0, ${F_SETPIPE_SZ}, ${bytes})`], { stdio: [fd, 'ignore', 'ignore'], env: {}, timeout: 10_000 });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}
