import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipString, skipValue, type Span } from './message-scan.js';
import type { PlannedColumn } from './table-plan.js';
import { escapeText, NULL_FIELD, validEscapes, writeBytes, writeEscaped, writeJsonString, type TsvOut } from './tsv-text.js';
import type { Verdict } from './value-checks.js';

/**
 * A RECORD's values as one TabSeparated row of the stream's columns, in the order of the
 * INSERT's column list. The record's bytes are walked once: each value's span is noted under
 * its column (keys in any order, whitespace anywhere, missing keys), its column's check looks
 * at it (value-checks.ts), and then the row is written column by column — numbers and plain
 * strings copied as they are, escapes decoded, the rest written as TSV text. Values are never
 * parsed into JS values, so integers beyond 2^53 and decimals keep every digit.
 */

/** What kind of JSON value a column got in the record being read. */
const MISSING = 0;
const NULL = 1;
const NUMBER = 2; // or any bare word but null, true and false
const STRING = 3; // with no escape and no control byte: its bytes are its text
const ESCAPED_STRING = 4;
const TRUE = 5;
const FALSE = 6;
const COMPOUND = 7; // an object or an array

const LETTER_N = 0x6e;
const LETTER_T = 0x74;
const LETTER_F = 0x66;
const TAB = 0x09;
const LETTER_CAPITAL_N = 0x4e;

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isWord = (buf: Buffer, start: number, end: number, word: string) => {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k += 1) if (buf[start + k] !== word.charCodeAt(k)) return false;
  return true;
};

/** What a column writes when the record has no value for it: NULL, or the type's default where it cannot be empty (as JSONEachRow did). */
function missingText(column: PlannedColumn, wideDateTime: boolean): Buffer {
  if (column.spec.nullable) return NULL_FIELD;
  switch (column.spec.kind) {
    case 'string':
    case 'json':
      return Buffer.alloc(0);
    case 'uuid':
      return Buffer.from('00000000-0000-0000-0000-000000000000');
    case 'date':
      return Buffer.from('1970-01-01');
    case 'datetime':
      return Buffer.from(wideDateTime ? '1970-01-01 00:00:00' : '1970-01-01T00:00:00Z');
    default:
      return Buffer.from('0');
  }
}

export type RecordRow = ReturnType<typeof recordRow>;

/**
 * The reader and writer of one stream's rows. `columns` in the order the INSERT names them.
 * `boolText`: Bool columns take true/false, UInt8 ones (servers before Bool) 1/0.
 */
export function recordRow(columns: PlannedColumn[], options: { boolWords: boolean }) {
  const count = columns.length;
  const byName = new Map(columns.map((c, ordinal) => [c.source, ordinal]));
  const missing = columns.map((c) => missingText(c, c.spec.wide === true));
  const words = columns.map((c) => (c.spec.kind === 'bool' ? (options.boolWords ? ['true', 'false'] : ['1', '0']) : c.spec.kind === 'int' ? ['1', '0'] : ['true', 'false']).map((w) => Buffer.from(w)));
  const checks = columns.map((c) => c.check);
  const passes = columns.map((c) => c.convert === 'pass');
  /** A plain string's bytes are the field (a JSON column keeps its quotes instead). */
  const copiesText = columns.map((c) => c.convert !== 'json');
  const cutsDate = columns.map((c) => c.convert === 'date');
  const kinds = new Uint8Array(count);
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  const verdicts: Array<Verdict | undefined> = new Array(count).fill(undefined);
  /** Per key position: the key's bytes (quotes included) last seen there and its column (-1: not in the schema). */
  const keys: Buffer[] = [];
  const ordinals: number[] = [];
  /** Replacement values as TSV text, made once per verdict. */
  const replacementText = new WeakMap<Verdict, Buffer>();
  /** Some value of the record last read has a reason to be told (see eachNote). */
  let noted = false;

  function lookup(buf: Buffer, start: number, end: number, position: number, onUnknown: (property: string) => void): number {
    const raw = buf.toString('utf8', start, end);
    const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    const ordinal = byName.get(name) ?? -1;
    if (ordinal < 0) onUnknown(name);
    keys[position] = Buffer.from(buf.subarray(start, end));
    ordinals[position] = ordinal;
    return ordinal;
  }

  /**
   * Walks the record object in `buf` at `record`, noting each value under its column and
   * asking the column's check about it. False when the record is not a well-formed JSON object.
   */
  function read(buf: Buffer, record: Span, onUnknown: (property: string) => void): boolean {
    for (let o = 0; o < count; o += 1) kinds[o] = MISSING;
    noted = false;
    const end = record.end;
    let i = record.start + 1;
    for (let position = 0; ; position += 1) {
      let c = buf[i]!;
      if (c <= 0x20) {
        while (i < end && isBlank(buf[i]!)) i += 1;
        c = buf[i]!;
      }
      if (c === CLOSE_BRACE && position === 0) {
        if (i !== end - 1) return false;
        break;
      }
      if (c !== QUOTE) return false;
      // The key: most often the very bytes seen at this position in the last record.
      let ordinal: number;
      let keyEnd = -1;
      const key = keys[position];
      if (key !== undefined && i + key.length < end) {
        const length = key.length;
        let k = 1;
        while (k < length && buf[i + k] === key[k]) k += 1;
        if (k === length) keyEnd = i + length;
      }
      if (keyEnd >= 0) ordinal = ordinals[position]!;
      else {
        keyEnd = skipString(buf, i, end);
        if (keyEnd < 0) return false;
        ordinal = lookup(buf, i, keyEnd, position, onUnknown);
      }
      i = keyEnd;
      if (buf[i] !== COLON) {
        while (i < end && isBlank(buf[i]!)) i += 1;
        if (buf[i] !== COLON) return false;
      }
      i += 1;
      if (isBlank(buf[i]!)) while (i < end && isBlank(buf[i]!)) i += 1;
      const start = i;
      c = buf[i]!;
      let kind: number;
      if (c === QUOTE) {
        kind = STRING;
        for (i += 1; i < end; i += 1) {
          const d = buf[i]!;
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            kind = ESCAPED_STRING;
            i += 1;
          } else if (d < 0x20) kind = ESCAPED_STRING;
        }
        if (i >= end) return false;
        i += 1;
        if (kind === ESCAPED_STRING && !validEscapes(buf, start + 1, i - 1)) return false;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        i = skipValue(buf, i, end);
        if (i < 0) return false;
        kind = COMPOUND;
      } else {
        while (i < end) {
          const d = buf[i]!;
          if (d === COMMA || d === CLOSE_BRACE || d <= 0x20) break;
          i += 1;
        }
        if (i === start) return false;
        kind = c === LETTER_N && isWord(buf, start, i, 'null') ? NULL : c === LETTER_T && isWord(buf, start, i, 'true') ? TRUE : c === LETTER_F && isWord(buf, start, i, 'false') ? FALSE : NUMBER;
      }
      if (ordinal >= 0) {
        kinds[ordinal] = kind;
        starts[ordinal] = start;
        ends[ordinal] = i;
        const check = checks[ordinal];
        const verdict = check !== undefined && kind !== NULL ? check(buf, start, i) : undefined;
        verdicts[ordinal] = verdict;
        if (verdict?.reason !== undefined) noted = true;
      }
      c = buf[i]!;
      if (c <= 0x20) {
        while (i < end && isBlank(buf[i]!)) i += 1;
        c = buf[i]!;
      }
      if (c === COMMA) {
        i += 1;
        continue;
      }
      // Nothing may follow the object's closing brace within the record's span.
      if (c !== CLOSE_BRACE || i !== end - 1) return false;
      // The walk expects as many keys as this record had.
      if (keys.length > position + 1) {
        keys.length = position + 1;
        ordinals.length = position + 1;
      }
      break;
    }
    return true;
  }

  /** Tells `onNote` of each value of the record last appended that a check gave a reason about (lost precision, a rejected value), with its source span. */
  function eachNote(onNote: (column: PlannedColumn, verdict: Verdict & { reason: string }, start: number, end: number) => void) {
    if (!noted) return;
    for (let o = 0; o < count; o += 1) {
      const verdict = kinds[o] !== MISSING ? verdicts[o] : undefined;
      if (verdict?.reason !== undefined) onNote(columns[o]!, verdict as Verdict & { reason: string }, starts[o]!, ends[o]!);
    }
  }

  function replacement(verdict: Verdict): Buffer {
    let text = replacementText.get(verdict);
    if (text === undefined) {
      const json = verdict.replacement!;
      const value: unknown = JSON.parse(json);
      text = Buffer.from(value === null ? '\\N' : escapeText(typeof value === 'string' ? value : json));
      replacementText.set(verdict, text);
    }
    return text;
  }

  /** A field that is not a plain copy: a replacement, escapes to decode, JSON text, true/false as text. */
  function writeField(out: TsvOut, buf: Buffer, o: number) {
    const kind = kinds[o]!;
    const start = starts[o]!;
    const end = ends[o]!;
    const verdict = verdicts[o];
    const convert = columns[o]!.convert;
    if (verdict?.replacement !== undefined) {
      const text = replacement(verdict);
      writeBytes(out, text, 0, text.length);
    } else if (convert === 'json') writeEscaped(out, buf, start, end);
    else if (kind === ESCAPED_STRING) writeJsonString(out, buf, start + 1, end - 1, convert === 'date' ? 10 : Infinity);
    else writeEscaped(out, buf, start, end); // true/false as text, an object or a list
  }

  /** Writes the record last `read` as the row's fields. */
  function write(out: TsvOut, buf: Buffer) {
    // Room for the whole row at once: no field takes more than twice its source bytes, or its replacement.
    let bound = count;
    for (let o = 0; o < count; o += 1) {
      const kind = kinds[o]!;
      bound += kind === MISSING ? missing[o]!.length : 2 * (ends[o]! - starts[o]!) + (verdicts[o]?.replacement !== undefined ? replacement(verdicts[o]!).length : 0);
    }
    let target = out.room(bound);
    let at = out.at;
    for (let o = 0; o < count; o += 1) {
      if (o > 0) target[at++] = TAB;
      const kind = kinds[o]!;
      let source = buf;
      let from = starts[o]!;
      let to = ends[o]!;
      if (kind === MISSING) {
        source = missing[o]!;
        from = 0;
        to = source.length;
      } else if (kind === NULL) {
        source = NULL_FIELD;
        from = 0;
        to = 2;
      } else if (verdicts[o]?.replacement !== undefined || (kind !== NUMBER && kind !== STRING && !((kind === TRUE || kind === FALSE) && passes[o]))) {
        out.wrote(at);
        writeField(out, buf, o);
        target = out.room(bound);
        at = out.at;
        continue;
      } else if (kind === STRING) {
        if (!copiesText[o]) {
          out.wrote(at);
          writeField(out, buf, o);
          target = out.room(bound);
          at = out.at;
          continue;
        }
        from += 1;
        to = cutsDate[o] && to - from > 11 ? from + 10 : to - 1;
      } else if (kind !== NUMBER) {
        source = words[o]![kind === TRUE ? 0 : 1]!;
        from = 0;
        to = source.length;
      }
      for (let i = from; i < to; i += 1) target[at++] = source[i]!;
    }
    out.wrote(at);
  }

  /**
   * The common case, in one pass: a compact record whose keys are the columns in order, each
   * one present, each value a number, a plain string, true/false or null that its check lets
   * through. Writes the row's fields straight into the batch; false (nothing written) for
   * anything else, which then goes through `read` and `write`.
   */
  function writeInOrder(out: TsvOut, buf: Buffer, record: Span): boolean {
    const end = record.end;
    // A field is never longer than its value's source bytes, plus a tab.
    const target = out.room(end - record.start + count);
    let at = out.at;
    let i = record.start + 1;
    for (let o = 0; o < count; o += 1) {
      if (o > 0) {
        if (buf[i] !== COMMA) return false;
        i += 1;
        target[at++] = TAB;
      }
      const key = keys[o];
      if (key === undefined || ordinals[o] !== o) return false;
      const length = key.length;
      if (i + length >= end) return false;
      for (let k = 0; k < length; k += 1) if (buf[i + k] !== key[k]) return false;
      i += length;
      if (buf[i] !== COLON) return false;
      const start = (i += 1);
      const c = buf[i];
      if (c === QUOTE) {
        for (i += 1; i < end; i += 1) {
          const d = buf[i]!;
          if (d === QUOTE) break;
          if (d === BACKSLASH || d < 0x20) return false;
        }
        if (i >= end || !copiesText[o] || cutsDate[o]) return false;
        i += 1;
        const check = checks[o];
        if (check !== undefined && check(buf, start, i) !== undefined) return false;
        for (let j = start + 1; j < i - 1; j += 1) target[at++] = buf[j]!;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) return false;
      while (i < end) {
        const d = buf[i]!;
        if (d === COMMA || d === CLOSE_BRACE) break;
        if (d <= 0x20) return false;
        i += 1;
      }
      if (i === start) return false;
      if (c === LETTER_N && isWord(buf, start, i, 'null')) {
        target[at++] = BACKSLASH;
        target[at++] = LETTER_CAPITAL_N;
        continue;
      }
      const check = checks[o];
      if (check !== undefined && check(buf, start, i) !== undefined) return false;
      const word = c === LETTER_T && isWord(buf, start, i, 'true') ? 0 : c === LETTER_F && isWord(buf, start, i, 'false') ? 1 : -1;
      if (word < 0) for (let j = start; j < i; j += 1) target[at++] = buf[j]!;
      else if (passes[o]) {
        const text = words[o]![word]!;
        for (let j = 0; j < text.length; j += 1) target[at++] = text[j]!;
      } else return false;
    }
    if (buf[i] !== CLOSE_BRACE || i !== end - 1) return false;
    out.wrote(at);
    return true;
  }

  /**
   * Writes the record in `buf` at `record` as the row's fields, tab-separated (no tab or
   * newline after the last). False, with nothing written, when the record is not a
   * well-formed JSON object.
   */
  function append(out: TsvOut, buf: Buffer, record: Span, onUnknown: (property: string) => void): boolean {
    if (writeInOrder(out, buf, record)) {
      noted = false;
      return true;
    }
    if (!read(buf, record, onUnknown)) return false;
    write(out, buf);
    return true;
  }

  return { count, append, eachNote };
}
