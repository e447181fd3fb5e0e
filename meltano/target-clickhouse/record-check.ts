import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, isSpace, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipString, skipValue, type Span } from './message-scan.js';
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

const LETTER_N = 0x6e; // the n of null: a null passes every check

/**
 * The fast path's look at a record: true when every value with a check passes it, so the
 * record's bytes can go to ClickHouse as they are. False for a value that needs replacing
 * or counting, or a record that is not well-formed: the careful path then handles the row.
 */
export function recordPasses(buf: Buffer, record: Span, index: FieldIndex): boolean {
  const compact = compactRecordPasses(buf, record, index);
  return compact !== undefined ? compact : anyRecordPasses(buf, record, index);
}

/**
 * The common case, written for speed: the compact layout taps print (no whitespace), with
 * the keys in the order of the last record. Undefined as soon as the record is laid out
 * any other way; the general walk then looks at it.
 */
function compactRecordPasses(buf: Buffer, record: Span, index: FieldIndex): boolean | undefined {
  const end = record.end;
  const keys = index.keys;
  const found = index.found;
  let i = record.start + 1;
  for (let position = 0; ; position += 1) {
    let c = buf[i];
    if (c === CLOSE_BRACE) return position === keys.length ? true : undefined;
    if (position > 0) {
      if (c !== COMMA) return undefined;
      i += 1;
    }
    const key = keys[position];
    if (key === undefined) return undefined;
    const length = key.length;
    if (i + length >= end) return undefined;
    let k = 0;
    while (k < length && buf[i + k] === key[k]) k += 1;
    if (k !== length || buf[i + length] !== COLON) return undefined;
    i += length + 1;
    const valueStart = i;
    c = buf[i];
    if (c === QUOTE) {
      // A string: to its closing quote, stepping over escapes.
      for (i += 1; i < end; i += 1) {
        const d = buf[i];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i += 1;
      }
      if (i >= end) return false;
      i += 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      i = skipValue(buf, i, end);
      if (i < 0) return false;
    } else {
      // A number, true, false or null: to the next comma or brace (whitespace: not compact).
      while (i < end) {
        const d = buf[i];
        if (d === COMMA || d === CLOSE_BRACE) break;
        if (d! <= 0x20) return undefined;
        i += 1;
      }
      if (i === valueStart) return undefined;
    }
    const check = found[position]?.check;
    if (check !== undefined && c !== LETTER_N && check(buf, valueStart, i) !== undefined) return false;
  }
}

/** Any layout JSON allows: whitespace anywhere, keys in any order (learnt position by position). */
function anyRecordPasses(buf: Buffer, record: Span, index: FieldIndex): boolean {
  const end = record.end;
  const keys = index.keys;
  let i = record.start + 1;
  let position = 0;
  for (; ; position += 1) {
    if (isSpace(buf[i]!)) while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] === CLOSE_BRACE) break;
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
  // The compact walk expects as many keys as this record had.
  index.keys.length = position;
  index.found.length = position;
  return true;
}
