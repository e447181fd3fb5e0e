import type { Readable } from 'node:stream';

/**
 * Feeds a byte stream to `onLine` one line at a time, without decoding: the loader passes
 * record bytes straight to ClickHouse. `onLine` runs synchronously for most lines and is
 * only awaited when it returns a promise, so a million lines cost no million microtasks.
 * A line's buffer is valid only during its call. Lines may be any length.
 *
 * @returns the number of lines read
 */
export async function forEachLine(input: Readable, onLine: (line: Buffer, number: number) => void | Promise<void>): Promise<number> {
  let carry: Buffer[] = [];
  let carried = 0;
  let count = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
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
        line = chunk.subarray(start, newline);
      }
      const pending = onLine(line, (count += 1));
      if (pending) await pending;
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      carry.push(chunk.subarray(start));
      carried += chunk.length - start;
    }
  }
  if (carried > 0) {
    const pending = onLine(Buffer.concat(carry, carried), (count += 1));
    if (pending) await pending;
  }
  return count;
}
