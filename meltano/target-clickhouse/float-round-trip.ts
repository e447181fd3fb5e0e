/**
 * Whether a JSON number comes back unchanged through Float64, worked out with
 * a few exact floating-point operations instead of making strings (parsing and printing every
 * value cost as much as the rest of the load on wide float tables).
 *
 * A decimal d reads back as itself when it is what shortest printing (ECMAScript's
 * Number::toString, which ClickHouse's printers agree with) gives for x, the double nearest
 * to d: no decimal with fewer digits rounds to x, and d is the closest to x of those with as
 * many digits as d. With M the digits of d and 10^-p its unit (d = M / 10^p, p ≤ 22 so 10^p
 * is exact), everything is measured in units of the last digit:
 *   diff = M − x·10^p, exact up to ~1e-15 (Dekker's product, Sterbenz's subtractions);
 *   x is nearest to d while |diff| < half an ulp of x (in units);
 *   the two decimals one digit shorter around d are M − r and M − r + 10 (r = last digit);
 *   d is the closest n-digit decimal to x while |diff| < 0.5.
 * Anything near a tie, a power of two, or outside the exact range answers undefined and the
 * caller asks the printer itself.
 */
const MINUS = 0x2d;
const POINT = 0x2e;
const pow10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact up to 1e22
const MARGIN = 1e-6; // far above the arithmetic's error (~1e-14 units), far below any real gap
const SPLITTER = 134217729; // 2^27 + 1, Dekker's split
// x's bits, to read its exponent and see whether it is a power of two (little-endian words).
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const powersOfTwo = Array.from({ length: 2048 }, (_, e) => 2 ** (e - 1075));

/** The ulp of x, or 0 when x is a power of two (the interval below it is half as wide). */
function ulpOf(x: number): number {
  bits[0] = x;
  const high = words[HIGH]!;
  if ((high & 0xfffff) === 0 && words[1 - HIGH] === 0) return 0;
  return powersOfTwo[(high >>> 20) & 0x7ff]!;
}

/** a·b − fl(a·b), exactly (Dekker's TwoProduct; JavaScript has no fused multiply-add). */
function productError(a: number, b: number, product: number): number {
  const ca = SPLITTER * a;
  const aHigh = ca - (ca - a);
  const aLow = a - aHigh;
  const cb = SPLITTER * b;
  const bHigh = cb - (cb - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
}

/**
 * True or false when it can be decided exactly here, undefined when the printer must decide.
 * Up to 15 digits always come back, more than 17 never.
 */
export function float64RoundTrips(buf: Buffer, start: number, end: number): boolean | undefined {
  // The digits from the first non-zero one: the first nine in `head`, the rest in `tail`.
  let i = buf[start] === MINUS ? start + 1 : start;
  let count = 0;
  let head = 0;
  let tail = 0;
  let fractionDigits = 0;
  let afterPoint = false;
  let last = 0;
  for (; i < end; i += 1) {
    const c = buf[i]!;
    if (c === POINT) {
      afterPoint = true;
      continue;
    }
    if (c < 0x30 || c > 0x39) break;
    if (afterPoint) fractionDigits += 1;
    last = c - 0x30;
    if (count === 0 && last === 0) continue; // a leading zero
    if (count < 9) head = head * 10 + last;
    else tail = tail * 10 + last;
    count += 1;
  }
  let exponent = 0;
  if (i < end) {
    // An exponent: e, an optional sign, digits. Three digits may leave Float64's range: the printer decides.
    i += 1;
    const negative = buf[i] === MINUS;
    if (negative || buf[i] === 0x2b) i += 1;
    if (i === end || end - i > 2) return undefined;
    for (; i < end; i += 1) exponent = exponent * 10 + (buf[i]! - 0x30);
    if (negative) exponent = -exponent;
  }
  if (count <= 15) return true; // the significant digits are fewer still
  // Trailing zeros (a digit count that is not the significant one) are left to the printer.
  if (last === 0) return undefined;
  if (count > 17) return false;
  const p = fractionDigits - exponent;
  if (p < 0 || p > 22) return undefined;

  // M = top·10^8 + bottom, both exact; top·10^8 = top·5^8·2^8 is exact too.
  const top = count === 17 ? head : Math.floor(head / 10);
  const bottom = count === 17 ? tail : (head % 10) * 1e7 + tail;
  const topScaled = top * 1e8;
  const scale = pow10[p]!;

  let x = (topScaled + bottom) / scale; // within two ulps of the nearest double
  let diff = 0;
  let halfUlp = 0;
  for (let attempt = 0; ; attempt += 1) {
    const ulp = ulpOf(x);
    if (ulp === 0) return undefined; // a power of two: leave it to the printer
    const product = x * scale;
    // (topScaled − product) is exact (Sterbenz), so is adding bottom; one rounding remains.
    diff = topScaled - product + bottom - productError(x, scale, product);
    halfUlp = (ulp * scale) / 2;
    const gap = Math.abs(diff) - halfUlp;
    if (gap < -MARGIN) break;
    if (gap <= MARGIN || attempt === 3) return undefined;
    x += diff > 0 ? ulp : -ulp;
  }

  // The decimals one digit shorter on either side of d: does either read as x too?
  const below = Math.abs(diff - last) - halfUlp;
  const above = Math.abs(diff + 10 - last) - halfUlp;
  if (below < -MARGIN || above < -MARGIN) return false;
  if (below <= MARGIN || above <= MARGIN) return undefined;
  const fromHalf = Math.abs(diff) - 0.5;
  if (fromHalf < -MARGIN) return true;
  if (fromHalf > MARGIN) return false; // a neighbour with as many digits is closer: it is what prints
  return undefined;
}
