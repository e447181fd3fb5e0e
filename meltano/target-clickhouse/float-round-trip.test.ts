import { describe, expect, it } from 'vitest';
import { float64RoundTrips } from './float-round-trip.js';
import { float64Keeps, float64KeepsByPrinting } from './number-text.js';

/** A seeded generator, so a failure names inputs that can be tried again. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digitString = (next: () => number, n: number) => {
  let s = String(1 + Math.floor(next() * 9));
  for (let k = 1; k < n; k += 1) s += String(Math.floor(next() * 10));
  return s;
};

/** A decimal text with these digits and the point placed for 10^e, written plainly or with an exponent. */
function place(digits: string, e: number, exponentForm: boolean, negative: boolean) {
  const sign = negative ? '-' : '';
  if (exponentForm) return `${sign}${digits[0]}.${digits.slice(1)}e${e >= 0 ? '+' : '-'}${String(Math.abs(e)).padStart(2, '0')}`;
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  if (e >= digits.length - 1) return `${sign}${digits}${'0'.repeat(e - digits.length + 1)}`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

function compare(texts: string[]) {
  let decided = 0;
  const wrong: string[] = [];
  for (const text of texts) {
    const buf = Buffer.from(text, 'latin1');
    const fast = float64RoundTrips(buf, 0, buf.length);
    if (fast === undefined) continue;
    decided += 1;
    if (fast !== float64KeepsByPrinting(buf, 0, buf.length)) wrong.push(text);
  }
  return { decided, wrong: wrong.slice(0, 10) };
}

describe('float64RoundTrips', () => {
  it('agrees with parse-and-print on what float printers write (doubles printed shortest)', () => {
    const next = random(1);
    const texts: string[] = [];
    for (let k = 0; k < 200_000; k += 1) {
      const x = (next() - 0.5) * 10 ** Math.floor(next() * 30 - 10);
      texts.push(String(x), JSON.stringify(x / 7), String(1 + k / 7));
    }
    const { decided, wrong } = compare(texts);
    expect(wrong).toEqual([]);
    // Every 16-17 digit text in range is decided here; the rest are shorter or out of range.
    expect(decided).toBeGreaterThan(texts.length * 0.5);
  });

  it('agrees on arbitrary 16- and 17-digit decimals, most of which Float64 cannot give back', () => {
    const next = random(2);
    const texts: string[] = [];
    for (let k = 0; k < 200_000; k += 1) {
      const digits = digitString(next, next() < 0.5 ? 16 : 17);
      texts.push(place(digits, Math.floor(next() * 26) - 8, next() < 0.3, next() < 0.5));
    }
    const { decided, wrong } = compare(texts);
    expect(wrong).toEqual([]);
    expect(decided).toBeGreaterThan(texts.length * 0.75); // the rest are beyond 10^±22 units
  });

  it('agrees next to powers of two and ten, on neighbours of doubles, and with zeros around the digits', () => {
    const texts: string[] = [];
    for (let e = -20; e <= 55; e += 1) {
      const x = 2 ** e;
      for (const y of [x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON / 2), x * (1 + 2 * Number.EPSILON)]) {
        const printed = y.toPrecision(17);
        texts.push(String(y), printed, y.toPrecision(16));
        // One unit of the last digit either way: decimals between two doubles.
        const digits = printed.replace(/[-.]|e.*$/g, '').replace(/^0+/, '');
        const next = (BigInt(digits) + 1n).toString();
        const prev = (BigInt(digits) - 1n).toString();
        const exp = Math.floor(Math.log10(y));
        for (const d of [next, prev]) if (d.length === 17) texts.push(place(d, exp, false, false), place(d, exp, true, true));
      }
    }
    for (let e = -7; e <= 16; e += 1) texts.push(`1${'0'.repeat(15)}1e${e}`, `0.0000${'9'.repeat(16)}`, `${'9'.repeat(17)}`, `1.${'0'.repeat(14)}10000`);
    texts.push('9007199254740993', '9007199254740992.5', '0.30000000000000004', '0.1000000000000000055511151231257827');
    const { wrong } = compare(texts);
    expect(wrong).toEqual([]);
  });

  it('leaves what it cannot decide exactly to the printer', () => {
    for (const text of ['1e400', '1e-400', '2.5e300', '12345678901234567e10', '1.2345678901234567e-30', '1.1000000000000000000']) {
      expect(float64RoundTrips(Buffer.from(text), 0, text.length)).toBeUndefined();
    }
  });

  it('counts numbers beyond Float64 range as changed, and keeps large ones it holds', () => {
    const keeps = (text: string) => float64Keeps(Buffer.from(text), 0, text.length);
    expect([keeps('1e400'), keeps('-1E+309'), keeps('1e-400'), keeps('2.5e300'), keeps('1.7976931348623157e308')]).toEqual([false, false, false, true, true]);
  });
});
