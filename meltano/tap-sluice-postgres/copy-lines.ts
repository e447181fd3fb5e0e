/**
 * Turns the bytes of `COPY (SELECT <columns>[, <key JSON>]) TO STDOUT` (text format) into Singer
 * RECORD lines, written into large output blocks. Each column's COPY text becomes its JSON value
 * by the column's encoding (column-types.ts), byte for byte what PostgreSQL's to_json writes:
 * numbers, and JSON that PostgreSQL built, are copied; text becomes a JSON string (COPY's
 * escapes `\n`, `\t`, `\\` … are JSON's own); t/f become true/false; timestamps get their `T`
 * and `+00:00`; `\N` becomes null.
 */
import type { Encoding } from './column-types.js';

const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;
const SPACE = 0x20;
const PLUS = 0x2b;

/** COPY's escape letters and the bytes they stand for. */
const ESCAPES: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };
const HEX = Buffer.from('0123456789abcdef');
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const ZONE = Buffer.from('+00:00');

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const hexValue = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);

/**
 * Reads the COPY escape whose backslash is at `i`: the byte it stands for and the index of its
 * last character (`\\`, `\n` …, octal `\123` and hex `\x41` too, though COPY TO never writes them).
 */
function readEscape(buf: Buffer, i: number, end: number): { byte: number; last: number } {
  const next = buf[i + 1]!;
  const mapped = ESCAPES[next];
  if (mapped !== undefined) return { byte: mapped, last: i + 1 };
  let j = i + 1;
  if (next >= 0x30 && next <= 0x37) {
    let value = next - 0x30;
    for (let k = 0; k < 2 && j + 1 < end && buf[j + 1]! >= 0x30 && buf[j + 1]! <= 0x37; k += 1) value = value * 8 + (buf[(j += 1)]! - 0x30);
    return { byte: value & 0xff, last: j };
  }
  if (next === 0x78 && j + 1 < end && isHex(buf[j + 1]!)) {
    let value = hexValue(buf[(j += 1)]!);
    if (j + 1 < end && isHex(buf[j + 1]!)) value = value * 16 + hexValue(buf[(j += 1)]!);
    return { byte: value, last: j };
  }
  return { byte: next, last: i + 1 };
}

/** Writes `buf[start, end)` unescaped into `out` at `o`; returns the end. Unescaping only shrinks. */
function unescapeInto(buf: Buffer, start: number, end: number, out: Buffer, o: number): number {
  for (let i = start; i < end; i += 1) {
    const c = buf[i]!;
    if (c !== BACKSLASH || i + 1 >= end) {
      out[o++] = c;
      continue;
    }
    const escape = readEscape(buf, i, end);
    out[o++] = escape.byte;
    i = escape.last;
  }
  return o;
}

/** COPY text format's field, unescaped: `a\\tb` → `a\tb`. */
export function unescapeCopyField(buf: Buffer, start: number, end: number): Buffer {
  const backslash = buf.indexOf(BACKSLASH, start);
  if (backslash === -1 || backslash >= end) return buf.subarray(start, end);
  const out = Buffer.allocUnsafe(end - start);
  return out.subarray(0, unescapeInto(buf, start, end, out, 0));
}

/** Byte `c` as JSON string content, as PostgreSQL's escape_json writes it. */
function jsonChar(c: number, out: Buffer, o: number): number {
  if (c === QUOTE || c === BACKSLASH) {
    out[o++] = BACKSLASH;
    out[o++] = c;
  } else if (c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) {
    out[o++] = BACKSLASH;
    out[o++] = c === 0x08 ? 0x62 : c === 0x0c ? 0x66 : c === 0x0a ? 0x6e : c === 0x0d ? 0x72 : 0x74;
  } else if (c < 0x20) {
    out[o++] = BACKSLASH;
    out[o++] = 0x75; // u00XX
    out[o++] = 0x30;
    out[o++] = 0x30;
    out[o++] = HEX[c >> 4]!;
    out[o++] = HEX[c & 15]!;
  } else out[o++] = c;
  return o;
}

/** A COPY text field as a JSON string. Most bytes are copied; escapes are read, then re-escaped for JSON. */
function stringInto(buf: Buffer, start: number, end: number, out: Buffer, o: number): number {
  out[o++] = QUOTE;
  for (let i = start; i < end; i += 1) {
    const c = buf[i]!;
    if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) out[o++] = c;
    else if (c === BACKSLASH && i + 1 < end) {
      const escape = readEscape(buf, i, end);
      o = jsonChar(escape.byte, out, o);
      i = escape.last;
    } else o = jsonChar(c, out, o);
  }
  out[o++] = QUOTE;
  return o;
}

/**
 * A timestamp's COPY text (ISO style, UTC session) as to_json writes a timestamptz:
 * `2024-01-01 10:00:00.5+00 BC` → `"2024-01-01T10:00:00.5+00:00 BC"`, and for a timestamp without
 * zone (`2024-01-01 10:00:00`) the same with `+00:00` added; `infinity` stays as it is.
 */
function timestampInto(buf: Buffer, start: number, end: number, out: Buffer, o: number, withZone: boolean): number {
  out[o++] = QUOTE;
  let i = start;
  while (i < end && buf[i] !== SPACE) out[o++] = buf[i++]!;
  if (i === end) {
    out[o++] = QUOTE; // infinity, -infinity
    return o;
  }
  out[o++] = 0x54; // T
  i += 1;
  // The time runs to the zone (`+00`: the session is UTC) or to ` BC`.
  while (i < end && buf[i] !== PLUS && buf[i] !== SPACE) out[o++] = buf[i++]!;
  for (let k = 0; k < ZONE.length; k += 1) out[o++] = ZONE[k]!;
  if (withZone && buf[i] === PLUS) i += 3;
  while (i < end) out[o++] = buf[i++]!;
  out[o++] = QUOTE;
  return o;
}

/** Copies a few bytes: for short pieces a loop beats a call into native code. */
function put(source: Buffer, out: Buffer, o: number): number {
  for (let k = 0; k < source.length; k += 1) out[o++] = source[k]!;
  return o;
}

/** One column's value as JSON into `out` at `o`; returns the end. */
function valueInto(encoding: Encoding, buf: Buffer, start: number, end: number, out: Buffer, o: number): number {
  if (end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === 0x4e) return put(NULL, out, o);
  switch (encoding) {
    case 'string':
      return stringInto(buf, start, end, out, o);
    case 'bool':
      return put(buf[start] === 0x74 ? TRUE : FALSE, out, o);
    case 'timestamptz':
    case 'timestamp':
      return timestampInto(buf, start, end, out, o, encoding === 'timestamptz');
    default: {
      if (end - start > 64) {
        const backslash = buf.indexOf(BACKSLASH, start);
        return backslash !== -1 && backslash < end ? unescapeInto(buf, start, end, out, o) : o + buf.copy(out, o, start, end);
      }
      for (let i = start; i < end; i += 1) {
        if (buf[i] === BACKSLASH) return unescapeInto(buf, i, end, out, o);
        out[o++] = buf[i]!;
      }
      return o;
    }
  }
}

export type Framer = {
  /** Frames the complete rows of this chunk (a partial last row waits for the next chunk). */
  push(chunk: Buffer): void;
  /** Frames one row: its fields in `buf[start, end)`, its newline excluded. */
  row(buf: Buffer, start: number, end: number): void;
  /** Framed lines to write: the full output blocks, and with `all` the one being filled too. */
  take(all?: boolean): Buffer[];
  /** Hands back a block from take() once it is written, to be filled again. */
  recycle(block: Buffer): void;
  /** Bytes of full blocks waiting in `take()`. */
  readonly readyBytes: number;
  /** Rows framed so far. */
  readonly rows: number;
  /** The key column's JSON text of the last framed row with a key (undefined before one). */
  readonly lastKey: string | undefined;
  /** Throws when bytes of an unfinished row remain (the copy stopped mid-row). */
  finish(): void;
};

export type FramedColumn = { name: string; encoding: Encoding };

/**
 * Lines are framed into blocks of this size, so the tap makes one write(2) per block instead
 * of one per row (PostgreSQL sends each row as a message of its own).
 */
const BLOCK_BYTES = 256 * 1024;

/** The columns' COPY fields come in this order, then (`withKey`) the replication key's JSON text. */
export function recordFramer(stream: string, columns: FramedColumn[], withKey: boolean): Framer {
  const prefix = Buffer.from(`{"type":"RECORD","stream":${JSON.stringify(stream)},"record":{`);
  // `"name":` and `,"name":` for each column, names JSON-escaped.
  const keys = columns.map((c, i) => Buffer.from(`${i === 0 ? '' : ','}${JSON.stringify(c.name)}:`));
  const encodings = columns.map((c) => c.encoding);
  const keysLength = keys.reduce((sum, k) => sum + k.length, 0);
  const fieldCount = columns.length + (withKey ? 1 : 0);
  let carry: Buffer | undefined;
  let rows = 0;
  let ready: Buffer[] = [];
  let readyBytes = 0;
  // Written blocks come back (recycle), so a long copy reuses a few blocks instead of leaving garbage.
  const spare: Buffer[] = [];
  const newBlock = () => spare.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES);
  let block = newBlock();
  let at = 0;

  const seal = () => {
    if (at === 0) return;
    ready.push(block.subarray(0, at));
    readyBytes += at;
    block = newBlock();
    at = 0;
  };

  const malformed = () => new Error(`the table copy sent a row without its ${fieldCount} columns`);

  /** One RECORD line into the block. Returns where the key field starts (or -1). */
  function frame(chunk: Buffer, start: number, end: number): number {
    // Worst case: every byte becomes \u00XX, plus quotes, T and +00:00 per column.
    const most = prefix.length + keysLength + 6 * (end - start) + 10 * columns.length + 3;
    if (at + most > block.length) {
      seal();
      if (most > block.length) block = Buffer.allocUnsafe(most);
    }
    const out = block;
    let o = put(prefix, out, at);
    let fieldStart = start;
    for (let i = 0; i < columns.length; i += 1) {
      // Raw tabs only ever separate fields (COPY escapes a tab in a value as \t).
      let fieldEnd = fieldStart;
      if (i === fieldCount - 1) fieldEnd = end;
      else {
        while (fieldEnd < end && chunk[fieldEnd] !== TAB) fieldEnd += 1;
        if (fieldEnd === end) throw malformed();
      }
      o = put(keys[i]!, out, o);
      o = valueInto(encodings[i]!, chunk, fieldStart, fieldEnd, out, o);
      fieldStart = fieldEnd + 1;
    }
    out[o++] = CLOSE_BRACE;
    out[o++] = CLOSE_BRACE;
    out[o++] = NEWLINE;
    at = o;
    return withKey ? fieldStart : -1;
  }

  // The last row's key, as bytes (the row's range is gone after the call): read only when asked for.
  let keyBytes = Buffer.allocUnsafe(64);
  let keyLength = -1;

  /** One row's fields (its newline excluded). */
  function row(chunk: Buffer, start: number, end: number) {
    const keyStart = frame(chunk, start, end);
    rows += 1;
    if (keyStart === -1) return;
    if (keyStart > end) throw malformed();
    const length = end - keyStart;
    // SQL NULL keys sort last and never make a bookmark.
    if (length === 4 && chunk[keyStart] === 0x6e && chunk[keyStart + 1] === 0x75 && chunk[keyStart + 2] === 0x6c && chunk[keyStart + 3] === 0x6c) return;
    if (length > keyBytes.length) keyBytes = Buffer.allocUnsafe(length * 2);
    for (let i = 0; i < length; i += 1) keyBytes[i] = chunk[keyStart + i]!;
    keyLength = length;
  }

  return {
    get rows() {
      return rows;
    },
    get lastKey() {
      return keyLength < 0 ? undefined : unescapeCopyField(keyBytes, 0, keyLength).toString('utf8');
    },
    get readyBytes() {
      return readyBytes;
    },
    row,
    recycle(written) {
      if (written.buffer.byteLength === BLOCK_BYTES && written.byteOffset === 0 && spare.length < 8) spare.push(Buffer.from(written.buffer, 0, BLOCK_BYTES));
    },
    push(input) {
      const chunk = carry ? Buffer.concat([carry, input]) : input;
      carry = undefined;
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      while (newline !== -1) {
        row(chunk, start, newline);
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      }
      if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
    },
    take(all = false) {
      if (all) seal();
      const out = ready;
      ready = [];
      readyBytes = 0;
      return out;
    },
    finish() {
      if (carry && carry.length > 0) throw new Error('the table copy ended in the middle of a row');
    },
  };
}
