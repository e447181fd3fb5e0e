import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** Both ends of a kernel pipe, as file descriptors of this process (close-on-exec, as Node opens every file). */
export type OsPipe = { read: number; write: number };

const NAME = 'tap-to-target';

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
