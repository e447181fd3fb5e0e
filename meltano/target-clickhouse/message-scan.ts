/**
 * Finds where the top-level fields of one Singer message lie in its bytes, without
 * building any objects: the hot path for RECORD lines. Handles any field order and JSON
 * whitespace. Returns undefined when the line is not a well-formed JSON object; the caller
 * then falls back to JSON.parse for a precise error.
 */
export type Span = { start: number; end: number };
export type ScannedMessage = { type?: Span | undefined; stream?: Span | undefined; record?: Span | undefined; timeExtracted?: Span | undefined; version?: Span | undefined; escapedStream: boolean };

// JSON's structural bytes, shared with the record walk (record-check.ts).
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;

export const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** Index just past the closing quote of the string starting at `i` (a quote), or -1. */
export function skipString(buf: Buffer, i: number, end: number): number {
  for (let j = i + 1; j < end; j += 1) {
    const c = buf[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j += 1;
  }
  return -1;
}

/** Index just past the JSON value starting at `i`, or -1 when it is cut short or unbalanced. */
export function skipValue(buf: Buffer, i: number, end: number): number {
  const first = buf[i];
  if (first === QUOTE) return skipString(buf, i, end);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < end; j += 1) {
      const c = buf[j]!;
      if (c === QUOTE) {
        j = skipString(buf, j, end) - 1;
        if (j < 0) return -1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // number, true, false, null: up to the next delimiter
  let j = i;
  while (j < end) {
    const c = buf[j]!;
    if (c === COMMA || c === CLOSE_BRACE || isSpace(c)) break;
    j += 1;
  }
  return j > i ? j : -1;
}

const keyIs = (buf: Buffer, start: number, end: number, key: string) => {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k += 1) if (buf[start + k] !== key.charCodeAt(k)) return false;
  return true;
};

export function scanMessage(buf: Buffer): ScannedMessage | undefined {
  const end = buf.length;
  let i = 0;
  while (i < end && isSpace(buf[i]!)) i += 1;
  if (buf[i] !== OPEN_BRACE) return undefined;
  i += 1;
  const found: ScannedMessage = { escapedStream: false };
  for (let first = true; ; first = false) {
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (first && buf[i] === CLOSE_BRACE) break;
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = skipString(buf, i, end);
    if (keyEnd < 0) return undefined;
    const keyStart = i + 1;
    const keyStop = keyEnd - 1;
    i = keyEnd;
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] !== COLON) return undefined;
    i += 1;
    while (i < end && isSpace(buf[i]!)) i += 1;
    const valueEnd = skipValue(buf, i, end);
    if (valueEnd < 0) return undefined;
    const span = { start: i, end: valueEnd };
    if (keyIs(buf, keyStart, keyStop, 'type')) found.type = span;
    else if (keyIs(buf, keyStart, keyStop, 'stream')) {
      found.stream = span;
      found.escapedStream = buf.indexOf(BACKSLASH, i) !== -1 && buf.indexOf(BACKSLASH, i) < valueEnd;
    } else if (keyIs(buf, keyStart, keyStop, 'record')) found.record = span;
    else if (keyIs(buf, keyStart, keyStop, 'time_extracted')) found.timeExtracted = span;
    else if (keyIs(buf, keyStart, keyStop, 'version')) found.version = span;
    i = valueEnd;
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] === COMMA) {
      i += 1;
      continue;
    }
    if (buf[i] === CLOSE_BRACE) break;
    return undefined;
  }
  // nothing but whitespace may follow the object
  for (let j = i + 1; j < end; j += 1) if (!isSpace(buf[j]!)) return undefined;
  return found;
}

/** True when the span holds exactly the JSON string `"RECORD"`. */
export function isRecordType(buf: Buffer, span: Span | undefined): boolean {
  return span !== undefined && span.end - span.start === 8 && keyIs(buf, span.start + 1, span.end - 1, 'RECORD');
}

const RECORD_PREFIX = Buffer.from('{"type":"RECORD","stream":"');
const RECORD_KEY = Buffer.from(',"record":{');
const TIME_KEY = Buffer.from(',"time_extracted":');
const VERSION_KEY = Buffer.from(',"version":');

/** Byte comparison in JS: for a few dozen bytes this beats a call into Buffer.compare. */
function bytesAt(buf: Buffer, at: number, expected: Buffer): boolean {
  if (at < 0 || at + expected.length > buf.length) return false;
  for (let k = 0; k < expected.length; k += 1) if (buf[at + k] !== expected[k]) return false;
  return true;
}

const endsWithAt = (buf: Buffer, end: number, tail: Buffer) => bytesAt(buf, end - tail.length, tail);

/**
 * The hot path for the compact layout Singer SDK taps print:
 * `{"type":"RECORD","stream":"s","record":{...}[,"version":n][,"time_extracted":"t"]}`.
 * Looks only at the head and the tail of the line, so its cost does not grow with the
 * record. Anything else returns undefined and goes through `scanMessage`. A record that is
 * itself malformed is caught by ClickHouse, which names the row (and so the line).
 */
// One result object, reused line after line: the loader reads it before the next scan.
const compact: ScannedMessage & { type: Span; stream: Span; record: Span } = {
  type: { start: 8, end: 16 },
  stream: { start: 0, end: 0 },
  record: { start: 0, end: 0 },
  escapedStream: false,
};
const timeSpan: Span = { start: 0, end: 0 };
const versionSpan: Span = { start: 0, end: 0 };

export function scanCompactRecord(buf: Buffer): ScannedMessage | undefined {
  const length = buf.length;
  if (length < 40 || !bytesAt(buf, 0, RECORD_PREFIX)) return undefined;
  const streamStart = RECORD_PREFIX.length - 1;
  let streamClose = streamStart + 1;
  while (streamClose < length && buf[streamClose] !== QUOTE) {
    if (buf[streamClose] === BACKSLASH) return undefined;
    streamClose += 1;
  }
  const recordKeyAt = streamClose + 1;
  if (!bytesAt(buf, recordKeyAt, RECORD_KEY)) return undefined;
  const recordStart = recordKeyAt + RECORD_KEY.length - 1;

  let end = length;
  while (end > 0 && isSpace(buf[end - 1]!)) end -= 1;
  if (buf[end - 1] !== CLOSE_BRACE) return undefined;
  end -= 1; // now just before the message's closing brace
  compact.timeExtracted = undefined;
  compact.version = undefined;
  // Peel trailing simple fields off, right to left, until the record's closing brace.
  for (let guard = 0; guard < 2; guard += 1) {
    if (buf[end - 1] === QUOTE) {
      let open = end - 2;
      while (open > 0 && buf[open] !== QUOTE) {
        if (buf[open] === BACKSLASH) return undefined;
        open -= 1;
      }
      if (!endsWithAt(buf, open, TIME_KEY)) return undefined;
      timeSpan.start = open;
      timeSpan.end = end;
      compact.timeExtracted = timeSpan;
      end = open - TIME_KEY.length;
    } else if (buf[end - 1]! >= 0x30 && buf[end - 1]! <= 0x39) {
      let digits = end - 1;
      while (digits > 0 && buf[digits - 1]! >= 0x30 && buf[digits - 1]! <= 0x39) digits -= 1;
      if (!endsWithAt(buf, digits, VERSION_KEY)) return undefined;
      versionSpan.start = digits;
      versionSpan.end = end;
      compact.version = versionSpan;
      end = digits - VERSION_KEY.length;
    } else break;
  }
  if (buf[end - 1] !== CLOSE_BRACE || end - 1 <= recordStart) return undefined;
  compact.stream.start = streamStart;
  compact.stream.end = streamClose + 1;
  compact.record.start = recordStart;
  compact.record.end = end;
  return compact;
}
