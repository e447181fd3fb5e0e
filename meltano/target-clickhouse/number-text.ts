import { float64RoundTrips } from './float-round-trip.js';

/**
 * Byte-level facts about JSON number tokens, for deciding whether a column holds a value
 * exactly without parsing it into a JS number (which would itself lose digits).
 */

/** Significant digits of a number token: leading zeros and trailing zeros not counted ("0.0120" → 2, "1e5" → 1). */
export function significantDigits(buf: Buffer, start: number, end: number): number {
  let count = 0;
  let zeros = 0;
  let started = false;
  for (let i = start; i < end; i += 1) {
    const c = buf[i]!;
    if (c === 0x2e || c === 0x2d || c === 0x2b) continue;
    if (c < 0x30 || c > 0x39) break; // the exponent
    if (c === 0x30) {
      if (started) zeros += 1;
      continue;
    }
    started = true;
    count += zeros + 1;
    zeros = 0;
  }
  return count;
}

/** A decimal number as its significant digits and where the point goes: "-0.0120" → { negative, digits: "12", point: -1 } (0.12 × 10^-1). */
export type DecimalParts = { negative: boolean; digits: string; point: number };

export function decimalParts(text: string): DecimalParts | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return undefined;
  const whole = match[2]!;
  const fraction = match[3] ?? '';
  let digits = whole + fraction;
  let point = whole.length + Number(match[4] ?? 0);
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  return { negative: match[1] === '-' && digits !== '', digits, point: digits === '' ? 0 : point };
}

/** True when both texts are the same decimal number ("1e+26" and "100000000000000000000000000"). */
export function sameNumber(a: string, b: string): boolean {
  const x = decimalParts(a);
  const y = decimalParts(b);
  return x !== undefined && y !== undefined && x.negative === y.negative && x.digits === y.digits && x.point === y.point;
}

/** Plain decimal text (no exponent, no needless zeros) of parts: { digits: "15", point: -6 } → "0.00000015". */
export function plainText(parts: DecimalParts): string {
  const { digits, point } = parts;
  if (digits === '') return '0';
  const sign = parts.negative ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * True when Float64 gives this number back: what JSON.parse and every float printer do (the
 * nearest double, printed shortest) yields the same decimal. Up to 15 significant digits that
 * always holds; past 17 it never does; in between it is worked out by arithmetic, and by
 * printing where the arithmetic is too close to call.
 */
export function float64Keeps(buf: Buffer, start: number, end: number): boolean {
  const decided = float64RoundTrips(buf, start, end);
  if (decided !== undefined) return decided;
  return significantDigits(buf, start, end) <= 17 && float64KeepsByPrinting(buf, start, end);
}

/** The reference: parse and print, as every reader of the column will. */
export function float64KeepsByPrinting(buf: Buffer, start: number, end: number): boolean {
  const text = buf.toString('latin1', start, end);
  const shortest = String(Number(text));
  return shortest === text || sameNumber(shortest, text);
}
