import { read } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const readInto = promisify(read);
/**
 * After a read this short, the loader waits a moment before reading again. A tap that flushes
 * every message (every Singer SDK tap) otherwise wakes the waiting loader with each write, which
 * costs the tap more than the write (into /dev/null the same tap ran ~40% faster). While the
 * loader waits, writes go into the pipe without waking anyone. A writer fast enough to fill
 * SHORT_READ in GATHER_MS is never waited for, and a slower one never fills the pipe (64 KiB,
 * or the 1 MiB a Sluice sync asks for: meltano/os-pipe.ts).
 */
const SHORT_READ = 16 * 1024;
const GATHER_MS = 4;

/**
 * After `onLines` takes no line, this many lines go to `onLine` before it is offered one
 * again: for input it never takes, the offer (a scan of the line's head) costs 1/64 of what it
 * would per line, and input it does take loses at most 64 lines to the slower path after each
 * line of another kind (a STATE message, say).
 */
const OFFER_AGAIN_AFTER = 64;

/** How far a run of lines handled in place reached: the offset of the first line it left, and how many it took. */
export type Consumed = { at: number; lines: number };

/**
 * Takes as many whole lines as it can in place, starting at `start` of `chunk` (line number
 * `line`), and says where it stopped; any line it leaves goes to `onLine`.
 */
export type OnLines = (chunk: Buffer, start: number, end: number, line: number) => Consumed;

/**
 * Feeds a byte stream to `onLine` one line at a time, without decoding: the loader passes
 * record bytes straight to ClickHouse. `onLine` runs synchronously for most lines and is
 * only awaited when it returns a promise, so a million lines cost no million microtasks.
 * A line's buffer is valid only during its call. Lines may be any length. `onLines`, when
 * given, is offered the lines of each chunk first, to handle a run of them in place (no
 * buffer made per line); whatever it leaves goes to `onLine`.
 *
 * @returns the number of lines read
 */
export async function forEachLine(input: AsyncIterable<Buffer>, onLine: (line: Buffer, number: number) => void | Promise<void>, onLines?: OnLines): Promise<number> {
  let carry: Buffer[] = [];
  let carried = 0;
  let count = 0;
  /** Lines left before `onLines` is offered one again, after it took none. */
  let declined = 0;
  for await (const chunk of input) {
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      let line: Buffer;
      if (carried > 0) {
        carry.push(chunk.subarray(start, newline));
        line = Buffer.concat(carry, carried + newline - start);
        carry = [];
        carried = 0;
      } else {
        if (onLines && declined === 0) {
          const taken = onLines(chunk, start, chunk.length, count + 1);
          if (taken.lines > 0) {
            count += taken.lines;
            start = taken.at;
            newline = chunk.indexOf(10, start);
            if (newline === -1) break;
          }
          // Not even the first line: input of another shape (a tap's time_extracted, say) is not offered again for a while.
          else declined = OFFER_AGAIN_AFTER;
        } else if (declined > 0) declined -= 1;
        line = chunk.subarray(start, newline);
      }
      const pending = onLine(line, (count += 1));
      if (pending) await pending;
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      // A copy: the chunk's memory may be read into again (readInTurns).
      carry.push(Buffer.from(chunk.subarray(start)));
      carried += chunk.length - start;
    }
  }
  if (carried > 0) {
    const pending = onLine(Buffer.concat(carry, carried), (count += 1));
    if (pending) await pending;
  }
  return count;
}

/**
 * Reads a file descriptor (stdin) into two buffers used in turn, so a long input makes no
 * garbage: each chunk is valid until the next-but-one is read, which forEachLine allows.
 */
export async function* readInTurns(fd: number, size = 1 << 20, gatherMs = GATHER_MS): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  for (let turn = 0; ; turn ^= 1) {
    const { bytesRead } = await readInto(fd, buffers[turn]!, 0, size, null);
    if (bytesRead === 0) return;
    yield buffers[turn]!.subarray(0, bytesRead);
    if (gatherMs > 0 && bytesRead < SHORT_READ) await sleep(gatherMs);
  }
}
