/**
 * Turns the bytes of `COPY (SELECT <record JSON>[, <key JSON>]) TO STDOUT` (text format) into
 * Singer RECORD lines, without decoding or parsing the JSON PostgreSQL built: each row is framed
 * as `{"type":"RECORD","stream":…,"record":<row>}` and the rows of a chunk leave as one buffer.
 * Only COPY's own escapes (`\\`, `\n`, `\t`, …) are undone, and only in rows that have any.
 */
const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;

const ESCAPES: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

/** COPY text format's field, unescaped: `a\\tb` → `a\tb` (octal `\123` and hex `\x41` too, though COPY TO never writes them). */
export function unescapeCopyField(buf: Buffer, start: number, end: number): Buffer {
  if (buf.indexOf(BACKSLASH, start) === -1 || buf.indexOf(BACKSLASH, start) >= end) return buf.subarray(start, end);
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i += 1) {
    const c = buf[i]!;
    if (c !== BACKSLASH || i + 1 >= end) {
      out[o++] = c;
      continue;
    }
    const next = buf[(i += 1)]!;
    const mapped = ESCAPES[next];
    if (mapped !== undefined) out[o++] = mapped;
    else if (next >= 0x30 && next <= 0x37) {
      let value = next - 0x30;
      for (let k = 0; k < 2 && i + 1 < end && buf[i + 1]! >= 0x30 && buf[i + 1]! <= 0x37; k += 1) value = value * 8 + (buf[(i += 1)]! - 0x30);
      out[o++] = value & 0xff;
    } else if (next === 0x78 && i + 1 < end && /[0-9a-fA-F]/.test(String.fromCharCode(buf[i + 1]!))) {
      let hex = String.fromCharCode(buf[(i += 1)]!);
      if (i + 1 < end && /[0-9a-fA-F]/.test(String.fromCharCode(buf[i + 1]!))) hex += String.fromCharCode(buf[(i += 1)]!);
      out[o++] = parseInt(hex, 16);
    } else out[o++] = next;
  }
  return out.subarray(0, o);
}

export type Framer = {
  /** RECORD lines for the complete rows in this chunk (a partial last row waits for the next). */
  push(chunk: Buffer): Buffer;
  /** Rows framed so far. */
  readonly rows: number;
  /** The key column's JSON text of the last framed row with a key (undefined before one). */
  readonly lastKey: string | undefined;
  /** Throws when bytes of an unfinished row remain (the copy stopped mid-row). */
  finish(): void;
};

export function recordFramer(stream: string, withKey: boolean): Framer {
  const prefix = Buffer.from(`{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`);
  const suffix = Buffer.from('}\n');
  let carry: Buffer | undefined;
  let rows = 0;
  let lastKey: string | undefined;
  return {
    get rows() {
      return rows;
    },
    get lastKey() {
      return lastKey;
    },
    push(input) {
      const chunk = carry ? Buffer.concat([carry, input]) : input;
      carry = undefined;
      const parts: Buffer[] = [];
      let size = 0;
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      let lastKeyStart = -1;
      let lastKeyEnd = -1;
      while (newline !== -1) {
        let recordEnd = newline;
        if (withKey) {
          const tab = chunk.indexOf(TAB, start);
          if (tab !== -1 && tab < newline) {
            recordEnd = tab;
            lastKeyStart = tab + 1;
            lastKeyEnd = newline;
          }
        }
        const record = unescapeCopyField(chunk, start, recordEnd);
        parts.push(prefix, record, suffix);
        size += prefix.length + record.length + suffix.length;
        rows += 1;
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      }
      if (lastKeyStart !== -1) {
        const key = unescapeCopyField(chunk, lastKeyStart, lastKeyEnd).toString('utf8');
        // SQL NULL keys sort last and never make a bookmark.
        if (key !== 'null') lastKey = key;
      }
      if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
      return parts.length === 0 ? Buffer.alloc(0) : Buffer.concat(parts, size);
    },
    finish() {
      if (carry && carry.length > 0) throw new Error('the table copy ended in the middle of a row');
    },
  };
}
