import type { ColumnSpec, ServerFeatures } from './column-types.js';
import { decimalParts, float64Keeps, plainText } from './number-text.js';
import { epochSeconds, fractionBeyond, readTimeText, utcText } from './time-text.js';
import { dateRange, dateTimeRange } from './value-ranges.js';

/**
 * Per column, a check of one JSON value's bytes that says whether the column holds it exactly.
 * Nothing is changed silently: a value the column cannot hold is replaced (NULL, or the type's
 * default in a column that cannot be empty) and its source text is kept in _sluice_rejects
 * (`reject`); a value stored with a small, known loss (a fraction of a second on 18.16) is
 * kept and counted (`reason` without `reject`); a value that only needs writing another way
 * to be exact gets a `replacement` alone. Returns undefined for the common case: the bytes
 * go to ClickHouse as they are.
 */
export type Verdict = { reject: boolean; reason: string | undefined; replacement: string | undefined };
export type ValueCheck = (buf: Buffer, start: number, end: number) => Verdict | undefined;

const QUOTE = 0x22;
const MINUS = 0x2d;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** A JSON number that is a whole number of reasonable size, or undefined. */
function wholeNumber(buf: Buffer, start: number, end: number): number | undefined {
  const text = buf.toString('latin1', start, end);
  return /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
}

const rewrite = (replacement: string): Verdict => ({ reject: false, reason: undefined, replacement });
const lossy = (reason: string, replacement?: string): Verdict => ({ reject: false, reason, replacement });

/** The rejection for this column: NULL, or the type's default where the column cannot be empty (and the reason says so). */
function rejecter(spec: ColumnSpec, features: ServerFeatures) {
  if (spec.nullable) return (reason: string): Verdict => ({ reject: true, reason, replacement: 'null' });
  const [value, shown] =
    spec.kind === 'date' ? ['"1970-01-01"', '1970-01-01'] : spec.kind === 'datetime' ? (spec.wide ? ['"1970-01-01 00:00:00"', '1970-01-01 00:00:00'] : ['"1970-01-01T00:00:00Z"', '1970-01-01 00:00:00']) : ['0', '0'];
  void features;
  return (reason: string): Verdict => ({ reject: true, reason: `${reason}; the column cannot be empty (a sorting key or not nullable), so it holds ${shown}`, replacement: value });
}

const isNanOrInfinity = (buf: Buffer, start: number) => {
  const c = buf[buf[start] === MINUS ? start + 1 : start];
  return c === 0x4e || c === 0x49; // N(aN), I(nfinity)
};

function floatCheck(spec: ColumnSpec, features: ServerFeatures): ValueCheck {
  const reject = rejecter(spec, features);
  // ClickHouse reads these strings as Float64's NaN and infinities on every version.
  const nan = rewrite('"nan"');
  const inf = rewrite('"inf"');
  const negInf = rewrite('"-inf"');
  const tooPrecise = reject('a number with more significant digits than Float64 keeps (it would read back changed); set untyped numbers to decimal, or declare the precision at the source');
  return (buf, start, end) => {
    const first = buf[start];
    if (first === QUOTE) return undefined;
    if (isNanOrInfinity(buf, start)) return buf[start] === 0x4e ? nan : first === MINUS ? negInf : inf;
    return float64Keeps(buf, start, end) ? undefined : tooPrecise;
  };
}

const UINT64_MAX = 18446744073709551615n;

function intCheck(spec: ColumnSpec, features: ServerFeatures): ValueCheck {
  const reject = rejecter(spec, features);
  const [min, max, range] = spec.unsigned ? [0n, UINT64_MAX, 'UInt64 (0 to 18446744073709551615)'] : [INT64_MIN, INT64_MAX, 'Int64 (±9223372036854775807)'];
  const outside = reject(`an integer outside ${range}`);
  const notNumber = reject(`NaN or Infinity, which an ${spec.unsigned ? 'UInt64' : 'Int64'} column cannot hold`);
  return (buf, start, end) => {
    if (isNanOrInfinity(buf, start)) return notNumber;
    if (spec.unsigned && buf[start] === MINUS) return /^-0+$/.test(buf.toString('latin1', start, end)) ? undefined : outside;
    // 18 digits always fit; longer ones are compared exactly (ClickHouse would wrap them around).
    if (end - start < 19 || buf[start] === QUOTE) return undefined;
    const text = buf.toString('latin1', start, end);
    if (!/^-?\d+$/.test(text)) return undefined;
    const value = BigInt(text);
    return value > max || value < min ? outside : undefined;
  };
}

function decimalCheck(spec: ColumnSpec, features: ServerFeatures): ValueCheck {
  const reject = rejecter(spec, features);
  const scale = spec.scale ?? 0;
  const precision = spec.precision ?? 38;
  const type = `Decimal(${precision}, ${scale})`;
  const notNumber = reject(`NaN or Infinity, which a ${type} column cannot hold`);
  const tooFine = reject(`more than ${scale} digits after the point, which a ${type} column cannot hold`);
  const tooLarge = reject(`more than ${precision - scale} digits before the point, which a ${type} column cannot hold`);
  return (buf, start, end) => {
    if (buf[start] === QUOTE) return undefined;
    if (isNanOrInfinity(buf, start)) return notNumber;
    // Common case: plain digits, few enough on both sides of the point.
    let i = buf[start] === MINUS ? start + 1 : start;
    const wholeStart = i;
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) i += 1;
    const wholeDigits = i - wholeStart;
    let fractionDigits = 0;
    if (buf[i] === 0x2e) {
      const from = (i += 1);
      while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) i += 1;
      fractionDigits = i - from;
    }
    if (i === end && wholeDigits <= precision - scale && fractionDigits <= scale) return undefined;
    // An exponent, leading or trailing zeros: ClickHouse counts written digits, we count the value's.
    const parts = decimalParts(buf.toString('latin1', start, end));
    if (!parts) return undefined; // not a number: ClickHouse refuses it by name
    const fraction = Math.max(0, parts.digits.length - parts.point);
    if (fraction > scale) return tooFine;
    if (parts.point > precision - scale) return tooLarge;
    return rewrite(plainText(parts));
  };
}

function dateCheck(spec: ColumnSpec, features: ServerFeatures): ValueCheck {
  const reject = rejecter(spec, features);
  const range = dateRange(spec, features);
  const notDate = reject('not a date ClickHouse can read (expected YYYY-MM-DD)');
  const below = reject(`date ${range.below}`);
  const above = reject(`date ${range.above}`);
  const timeDropped = lossy('time of day dropped: the column holds dates only');
  return (buf, start, end) => {
    if (buf[start] !== QUOTE) {
      // A bare number: days since 1970, as ClickHouse read one in JSON; TabSeparated needs the date written out.
      const day = wholeNumber(buf, start, end);
      if (day === undefined) return notDate;
      if (day < range.minDay) return below;
      if (day > range.maxDay) return above;
      return rewrite(`"${utcText(day * 86400, '').slice(0, 10)}"`);
    }
    const t = readTimeText(buf, start, end);
    if (!t) return notDate;
    if (t.year <= range.minYear || t.year >= range.maxYear) {
      const day = epochSeconds({ ...t, seconds: 0, offset: 0 }) / 86400;
      if (day < range.minDay) return below;
      if (day > range.maxDay) return above;
    }
    return t.seconds !== 0 || fractionBeyond(buf, t, 0) ? timeDropped : undefined;
  };
}

function dateTimeCheck(spec: ColumnSpec, features: ServerFeatures): ValueCheck {
  const reject = rejecter(spec, features);
  const range = dateTimeRange(spec, features);
  const keep = spec.wide ? (spec.precision ?? 6) : 0;
  const notDateTime = reject('not a date-time ClickHouse can read (expected ISO 8601, such as 2024-03-01T12:34:56Z)');
  const below = reject(`date-time ${range.below}`);
  const above = reject(`date-time ${range.above}`);
  const fractionReason = spec.wide ? `digits of a second past the ${keep}th dropped: the column keeps ${keep}` : 'fraction of a second dropped: ClickHouse before 20.1 stores whole seconds';
  const fractionDropped = lossy(fractionReason);
  // UTC text ClickHouse reads exactly: a DateTime64 column is in UTC; a DateTime is read in the server's zone unless the text says Z.
  const instantText = (seconds: number, micros: string) => (spec.wide ? `"${utcText(seconds, micros)}"` : `"${utcText(seconds, '')}Z"`);
  return (buf, start, end) => {
    if (buf[start] !== QUOTE) {
      // A bare number: seconds since 1970, as ClickHouse read one in JSON; in TabSeparated 18.16 reads digits wrongly.
      const seconds = wholeNumber(buf, start, end);
      if (seconds === undefined) return notDateTime;
      if (seconds < range.minSecond) return below;
      if (seconds > range.maxSecond) return above;
      return rewrite(instantText(seconds, ''));
    }
    const t = readTimeText(buf, start, end);
    if (!t) return notDateTime;
    const dropsFraction = fractionBeyond(buf, t, keep);
    if (t.year > range.minYear + 1 && t.year < range.maxYear - 1) return dropsFraction ? fractionDropped : undefined;
    // Near the ends ClickHouse's own parsing goes wrong (18.16 moved 1969-12-31T23:30-01:00 a day):
    // work the instant out here and send it in a form read exactly.
    const seconds = epochSeconds(t);
    if (seconds < range.minSecond) return below;
    if (seconds > range.maxSecond) return above;
    const micros = t.fractionDigits > 0 ? buf.toString('latin1', t.fractionStart, t.fractionStart + Math.min(6, t.fractionDigits)).padEnd(6, '0') : '';
    const replacement = instantText(seconds, micros);
    return dropsFraction ? lossy(fractionReason, replacement) : rewrite(replacement);
  };
}

/**
 * A text column given a number, true/false, a list or an object (taps that declare a column
 * text but send MySQL's YEAR and BIT values as numbers): its JSON text, every character
 * kept, as the column's string.
 */
const textCheck: ValueCheck = (buf, start, end) => (buf[start] === QUOTE ? undefined : rewrite(JSON.stringify(buf.toString('utf8', start, end))));

/** The check for a column of this type on this server; undefined when every JSON value of its kind fits. */
export function checkFor(spec: ColumnSpec, features: ServerFeatures): ValueCheck | undefined {
  switch (spec.kind) {
    case 'float':
      return floatCheck(spec, features);
    case 'int':
      return intCheck(spec, features);
    case 'decimal':
      return decimalCheck(spec, features);
    case 'date':
      return dateCheck(spec, features);
    case 'datetime':
      return dateTimeCheck(spec, features);
    case 'string':
      return textCheck;
    default:
      return undefined;
  }
}
