import { daysFromCivil } from './value-ranges.js';

/**
 * Reads an ISO 8601 date or date-time from the bytes of a JSON string (quotes included),
 * without making a string: `YYYY-MM-DD`, then optionally `T` or a space, `hh:mm`, `:ss`,
 * `.fraction`, and `Z` or `±hh[:mm]`. Anything else (or a day that does not exist, such as
 * February 30th, which ClickHouse would silently move to March) is not a date. Returns the
 * one shared result object, or undefined.
 */
export type TimeText = { year: number; month: number; day: number; seconds: number; offset: number; fractionStart: number; fractionDigits: number; hasTime: boolean };

const parsed: TimeText = { year: 0, month: 0, day: 0, seconds: 0, offset: 0, fractionStart: 0, fractionDigits: 0, hasTime: false };
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const digit = (c: number | undefined) => (c !== undefined && c >= 0x30 && c <= 0x39 ? c - 0x30 : -1);

function two(buf: Buffer, at: number): number {
  const a = digit(buf[at]);
  const b = digit(buf[at + 1]);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

export function readTimeText(buf: Buffer, start: number, end: number): TimeText | undefined {
  if (buf[start] !== 0x22 || buf[end - 1] !== 0x22) return undefined;
  let i = start + 1;
  const stop = end - 1;
  if (stop - i < 10 || buf[i + 4] !== 0x2d || buf[i + 7] !== 0x2d) return undefined;
  const hi = two(buf, i);
  const lo = two(buf, i + 2);
  const month = two(buf, i + 5);
  const day = two(buf, i + 8);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return undefined;
  const year = hi * 100 + lo;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined;
  parsed.year = year;
  parsed.month = month;
  parsed.day = day;
  parsed.seconds = 0;
  parsed.offset = 0;
  parsed.fractionStart = 0;
  parsed.fractionDigits = 0;
  parsed.hasTime = false;
  i += 10;
  if (i === stop) return parsed;
  if (buf[i] === 0x54 || buf[i] === 0x20 || buf[i] === 0x74) {
    const hour = two(buf, i + 1);
    const minute = buf[i + 3] === 0x3a ? two(buf, i + 4) : -1;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
    parsed.hasTime = true;
    parsed.seconds = hour * 3600 + minute * 60;
    i += 6;
    if (buf[i] === 0x3a) {
      const second = two(buf, i + 1);
      if (second < 0 || second > 59) return undefined;
      parsed.seconds += second;
      i += 3;
      if (buf[i] === 0x2e) {
        i += 1;
        parsed.fractionStart = i;
        while (i < stop && digit(buf[i]) >= 0) i += 1;
        parsed.fractionDigits = i - parsed.fractionStart;
        if (parsed.fractionDigits === 0) return undefined;
      }
    }
  }
  if (i === stop) return parsed;
  const zone = buf[i];
  if ((zone === 0x5a || zone === 0x7a) && i + 1 === stop) return parsed;
  if (zone !== 0x2b && zone !== 0x2d) return undefined;
  const hours = two(buf, i + 1);
  let minutes = 0;
  i += 3;
  if (i < stop) {
    if (buf[i] === 0x3a) i += 1;
    minutes = two(buf, i);
    i += 2;
  }
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || i !== stop) return undefined;
  parsed.offset = (zone === 0x2d ? -1 : 1) * (hours * 3600 + minutes * 60);
  return parsed;
}

/** Seconds since 1970-01-01 UTC of what readTimeText found (a time without offset is UTC). */
export const epochSeconds = (t: TimeText) => daysFromCivil(t.year, t.month, t.day) * 86400 + t.seconds - t.offset;

/** True when the fraction has a non-zero digit past the first `keep` digits. */
export function fractionBeyond(buf: Buffer, t: TimeText, keep: number): boolean {
  for (let k = keep; k < t.fractionDigits; k += 1) if (buf[t.fractionStart + k] !== 0x30) return true;
  return false;
}

/** `YYYY-MM-DD hh:mm:ss[.ffffff]` in UTC, from seconds since 1970 and the first 6 fraction digits. */
export function utcText(seconds: number, micros: string): string {
  const date = new Date(seconds * 1000);
  const text = date.toISOString().slice(0, 19).replace('T', ' ');
  const year = date.getUTCFullYear();
  // toISOString writes years before 1000 with 4 digits already; past 9999 never reaches here (outside every range).
  return year >= 0 ? `${text}${micros ? `.${micros}` : ''}` : text;
}
