import { isSpace, skipString, skipValue, type Span } from './message-scan.js';
import type { PlannedColumn } from './table-plan.js';

/**
 * Finds the column of each property by its bytes. Taps write a stream's properties in the
 * same order record after record, so the property at position N is compared with the one
 * seen there last time (a few byte compares) and a string is made only when it differs.
 */
export class FieldIndex {
  /** Per position: the key last seen there (quotes included) and its column. */
  readonly keys: Buffer[] = [];
  readonly found: Array<PlannedColumn | undefined> = [];
  constructor(private readonly columns: Map<string, PlannedColumn>) {}

  /** The column of the property whose key (quotes included) spans [start, end) at this position. */
  lookup(buf: Buffer, start: number, end: number, position: number): PlannedColumn | undefined {
    const key = this.keys[position];
    if (key !== undefined && key.length === end - start) {
      let k = 0;
      while (k < key.length && buf[start + k] === key[k]) k += 1;
      if (k === key.length) return this.found[position];
    }
    const raw = buf.toString('utf8', start, end);
    const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    const column = this.columns.get(name);
    this.keys[position] = Buffer.from(buf.subarray(start, end));
    this.found[position] = column;
    return column;
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
const LETTER_N = 0x6e;

/**
 * The fast path's look at a record: true when every value with a check passes it, so the
 * record's bytes can go to ClickHouse as they are. False for a value that needs replacing
 * or counting, or a record that is not well-formed: the careful path then handles the row.
 * Written for the compact layout taps print (no spaces), which it walks once; spaces are
 * allowed anywhere JSON allows them.
 */
export function recordPasses(buf: Buffer, record: Span, index: FieldIndex): boolean {
  const end = record.end;
  const keys = index.keys;
  let i = record.start + 1;
  for (let position = 0; ; position += 1) {
    if (isSpace(buf[i]!)) while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] === CLOSE_BRACE) return true;
    if (position > 0) {
      if (buf[i] !== COMMA) return false;
      i += 1;
      if (isSpace(buf[i]!)) while (i < end && isSpace(buf[i]!)) i += 1;
    }
    if (buf[i] !== QUOTE) return false;
    // The key: most often the very bytes seen at this position last record.
    let column: PlannedColumn | undefined;
    let keyEnd = -1;
    const key = keys[position];
    if (key !== undefined && i + key.length < end) {
      let k = 1;
      const length = key.length;
      while (k < length && buf[i + k] === key[k]) k += 1;
      if (k === length) {
        keyEnd = i + length;
        column = index.found[position];
      }
    }
    if (keyEnd < 0) {
      keyEnd = skipString(buf, i, end);
      if (keyEnd < 0) return false;
      column = index.lookup(buf, i, keyEnd, position);
    }
    i = keyEnd;
    if (buf[i] !== COLON) {
      while (i < end && isSpace(buf[i]!)) i += 1;
      if (buf[i] !== COLON) return false;
    }
    i += 1;
    if (isSpace(buf[i]!)) while (i < end && isSpace(buf[i]!)) i += 1;
    const valueEnd = skipValue(buf, i, end);
    if (valueEnd < 0) return false;
    const check = column?.check;
    if (check !== undefined && buf[i] !== LETTER_N && check(buf, i, valueEnd) !== undefined) return false;
    i = valueEnd;
  }
}
