import { isSpace, skipString, skipValue, type Span } from './message-scan.js';
import type { PlannedColumn } from './table-plan.js';

/**
 * Finds the column of each property by its bytes. Taps write a stream's properties in the
 * same order record after record, so the property at position N is compared with the one
 * seen there last time (a few byte compares) and a string is made only when it differs.
 */
export class FieldIndex {
  private readonly seen: Array<{ key: Buffer; column: PlannedColumn | undefined }> = [];
  constructor(private readonly columns: Map<string, PlannedColumn>) {}

  /** The column of the property whose key (quotes included) spans [start, end) at this position. */
  lookup(buf: Buffer, start: number, end: number, position: number): PlannedColumn | undefined {
    const last = this.seen[position];
    if (last && last.key.length === end - start) {
      const key = last.key;
      let same = true;
      for (let k = 0; k < key.length; k += 1) {
        if (buf[start + k] !== key[k]) {
          same = false;
          break;
        }
      }
      if (same) return last.column;
    }
    const raw = buf.toString('utf8', start, end);
    const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    const column = this.columns.get(name);
    this.seen[position] = { key: Buffer.from(buf.subarray(start, end)), column };
    return column;
  }
}

/**
 * The fast path's look at a record: true when every value with a check passes it, so the
 * record's bytes can go to ClickHouse as they are. False for a value that needs replacing
 * or counting, or a record that is not well-formed: the careful path then handles the row.
 */
export function recordPasses(buf: Buffer, record: Span, index: FieldIndex): boolean {
  const end = record.end;
  let i = record.start + 1;
  for (let position = 0; ; position += 1) {
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] === 0x7d) return true;
    if (position > 0) {
      if (buf[i] !== 0x2c) return false;
      i += 1;
      while (i < end && isSpace(buf[i]!)) i += 1;
    }
    if (buf[i] !== 0x22) return false;
    const keyEnd = skipString(buf, i, end);
    if (keyEnd < 0) return false;
    const column = index.lookup(buf, i, keyEnd, position);
    i = keyEnd;
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] !== 0x3a) return false;
    i += 1;
    while (i < end && isSpace(buf[i]!)) i += 1;
    const valueEnd = skipValue(buf, i, end);
    if (valueEnd < 0) return false;
    const check = column?.check;
    if (check !== undefined && buf[i] !== 0x6e && check(buf, i, valueEnd) !== undefined) return false;
    i = valueEnd;
  }
}
