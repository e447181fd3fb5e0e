/**
 * ClickHouse's TabSeparated text, as the loader writes it: one row a line, fields split by
 * tabs, `\N` for NULL, and in a field a backslash, tab, line feed, carriage return, NUL,
 * backspace and form feed written as `\\ \t \n \r \0 \b \f` (every server reads these).
 * JSON values arrive as bytes and are written here without being parsed into JS values.
 */
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
/** `\N`: NULL. */
export const NULL_FIELD = Buffer.from('\\N');

/** The escape letter TSV uses for a byte, or 0 when the byte goes out as it is. */
const ESCAPE = new Uint8Array(256);
ESCAPE[BACKSLASH] = BACKSLASH;
ESCAPE[0x09] = 0x74; // t
ESCAPE[0x0a] = 0x6e; // n
ESCAPE[0x0d] = 0x72; // r
ESCAPE[0x00] = 0x30; // 0
ESCAPE[0x08] = 0x62; // b
ESCAPE[0x0c] = 0x66; // f

/** Where the loader writes: room for `needed` more bytes at `at`, then how far it wrote. */
export type TsvOut = { room(needed: number): Buffer; readonly at: number; wrote(at: number): void };

/** Bytes written as they are (text already in TSV form), byte by byte: for pieces this short a JS loop beats a native copy. */
export function writeBytes(out: TsvOut, source: Buffer, start: number, end: number) {
  const target = out.room(end - start);
  let at = out.at;
  for (let i = start; i < end; i += 1) target[at++] = source[i]!;
  out.wrote(at);
}

export function writeByte(out: TsvOut, byte: number) {
  const target = out.room(1);
  const at = out.at;
  target[at] = byte;
  out.wrote(at + 1);
}

/** Bytes [start, end) as one field's text, escaped (JSON text kept as text: a JSON column, a number in a String column). */
export function writeEscaped(out: TsvOut, buf: Buffer, start: number, end: number) {
  const target = out.room(2 * (end - start));
  let at = out.at;
  for (let i = start; i < end; i += 1) {
    const c = buf[i]!;
    const e = ESCAPE[c]!;
    if (e === 0 || c > 0x5c) target[at++] = c;
    else {
      target[at++] = BACKSLASH;
      target[at++] = e;
    }
  }
  out.wrote(at);
}

/** The byte a JSON escape letter stands for (\b \f \n \r \t); 0 for the letters that stand for themselves. */
const JSON_ESCAPED = new Uint8Array(128);
JSON_ESCAPED[0x62] = 0x08;
JSON_ESCAPED[0x66] = 0x0c;
JSON_ESCAPED[0x6e] = 0x0a;
JSON_ESCAPED[0x72] = 0x0d;
JSON_ESCAPED[0x74] = 0x09;

const hex = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/** The code unit of `\uXXXX` whose four hex digits start at `i`, or -1. */
function unit(buf: Buffer, i: number, end: number): number {
  if (i + 4 > end) return -1;
  const a = hex(buf[i]!);
  const b = hex(buf[i + 1]!);
  const c = hex(buf[i + 2]!);
  const d = hex(buf[i + 3]!);
  return a < 0 || b < 0 || c < 0 || d < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/**
 * True when the JSON string's escapes between `start` (just past its opening quote) and
 * `end` (its closing quote) are all ones JSON has: what `writeJsonString` can decode.
 */
export function validEscapes(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    if (buf[i] !== BACKSLASH) continue;
    const c = buf[i + 1];
    if (c === 0x75) {
      if (unit(buf, i + 2, end) < 0) return false;
      i += 5;
    } else if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) i += 1;
    else return false;
  }
  return true;
}

function putUtf8(target: Buffer, at: number, code: number): number {
  if (code < 0x80) {
    const e = ESCAPE[code]!;
    if (e === 0) target[at++] = code;
    else {
      target[at++] = BACKSLASH;
      target[at++] = e;
    }
  } else if (code < 0x800) {
    target[at++] = 0xc0 | (code >> 6);
    target[at++] = 0x80 | (code & 0x3f);
  } else if (code < 0x10000) {
    // A lone surrogate too: its three bytes (WTF-8), so the value is kept rather than replaced.
    target[at++] = 0xe0 | (code >> 12);
    target[at++] = 0x80 | ((code >> 6) & 0x3f);
    target[at++] = 0x80 | (code & 0x3f);
  } else {
    target[at++] = 0xf0 | (code >> 18);
    target[at++] = 0x80 | ((code >> 12) & 0x3f);
    target[at++] = 0x80 | ((code >> 6) & 0x3f);
    target[at++] = 0x80 | (code & 0x3f);
  }
  return at;
}

/**
 * The JSON string between `start` (just past its opening quote) and `end` (its closing quote)
 * as one field: escapes decoded (checked first by `validEscapes`), then written as TSV wants.
 * `limit` stops after that many source bytes' worth of text (a date cut to YYYY-MM-DD).
 */
export function writeJsonString(out: TsvOut, buf: Buffer, start: number, end: number, limit = Infinity) {
  // Every escape decodes to no more bytes than it had, and a raw byte doubles at most.
  const target = out.room(2 * (end - start));
  let at = out.at;
  let characters = 0;
  for (let i = start; i < end && characters < limit; i += 1, characters += 1) {
    const c = buf[i]!;
    if (c !== BACKSLASH) {
      const e = ESCAPE[c]!;
      if (e === 0 || c > 0x5c) target[at++] = c;
      else {
        target[at++] = BACKSLASH;
        target[at++] = e;
      }
      continue;
    }
    const d = buf[(i += 1)]!;
    if (d !== 0x75) {
      at = putUtf8(target, at, JSON_ESCAPED[d] || d); // b f n r t; " \ / stand for themselves
      continue;
    }
    let code = unit(buf, i + 1, end);
    i += 4;
    if (code >= 0xd800 && code <= 0xdbff && buf[i + 1] === BACKSLASH && buf[i + 2] === 0x75) {
      const low = unit(buf, i + 3, end);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      }
    }
    at = putUtf8(target, at, code);
  }
  out.wrote(at);
}

/** True when the string's bytes [start, end) hold an escape or a control byte (not its text as it is). */
function needsDecoding(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if (buf[i] === BACKSLASH || buf[i]! < 0x20) return true;
  return false;
}

/**
 * Any one JSON value as a field: NULL for null, a string's text (escapes decoded), anything
 * else as its JSON text (a number as it is written).
 */
export function writeJsonField(out: TsvOut, buf: Buffer, start: number, end: number) {
  if (buf[start] === 0x6e && end - start === 4) writeBytes(out, NULL_FIELD, 0, 2);
  else if (buf[start] === QUOTE && !needsDecoding(buf, start + 1, end - 1)) writeBytes(out, buf, start + 1, end - 1);
  else if (buf[start] === QUOTE && validEscapes(buf, start + 1, end - 1)) writeJsonString(out, buf, start + 1, end - 1);
  else writeEscaped(out, buf, start, end);
}

/** A JS string as one field (our own text: the tenant, a replacement value). */
export function escapeText(text: string): string {
  return text.replace(/[\\\t\n\r\0\b\f]/g, (c) => `\\${String.fromCharCode(ESCAPE[c.charCodeAt(0)]!)}`);
}

const UNESCAPE: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f', "'": "'" };

/** The fields of one row as written (undefined for `\N`), for explaining a row ClickHouse refused. */
export function parseTsvRow(row: string): Array<string | undefined> {
  return row.split('\t').map((field) => (field === '\\N' ? undefined : field.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? c)));
}
