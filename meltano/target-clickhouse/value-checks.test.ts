import { describe, expect, it } from 'vitest';
import { featuresOf, specOfType } from './column-types.js';
import { checkFor } from './value-checks.js';

const old = featuresOf('18.16.1');
const modern = featuresOf('24.8.4.13');

/** What the check of a column of `type` says about the JSON value `text`: 'ok', or its verdict in short. */
function verdictOf(type: string, text: string, features = old) {
  const check = checkFor(specOfType(type), features);
  const buf = Buffer.from(`{"v":${text}}`);
  const verdict = check?.(buf, 5, buf.length - 1);
  if (!verdict) return 'ok';
  return { reject: verdict.reject, reason: verdict.reason ?? null, replacement: verdict.replacement ?? null };
}

describe('Float64', () => {
  it.each(['1.5', '-0.0001', '1e-7', '654320.981765428', '0.1', '100000000000000000000000000', '0.30000000000000004', '-2.9036617269290896e-14', '9007199254740992', '"1.5"'])(
    '%s is kept exactly',
    (text) => expect(verdictOf('Nullable(Float64)', text)).toBe('ok'),
  );

  it.each(['654320.9817654285', '0.10000000000000001', '9007199254740993', '0.123456789012345678901', '1234567890.1234567890123'])('%s would read back changed: NULL and kept aside', (text) => {
    expect(verdictOf('Nullable(Float64)', text)).toMatchObject({ reject: true, replacement: 'null', reason: expect.stringMatching(/more significant digits than Float64 keeps/) });
  });

  it('writes NaN and the infinities the way ClickHouse reads them, exactly', () => {
    expect(verdictOf('Float64', 'NaN')).toEqual({ reject: false, reason: null, replacement: '"nan"' });
    expect(verdictOf('Float64', 'Infinity')).toEqual({ reject: false, reason: null, replacement: '"inf"' });
    expect(verdictOf('Float64', '-Infinity')).toEqual({ reject: false, reason: null, replacement: '"-inf"' });
  });

  it('puts 0 in a column that cannot be empty, and says so', () => {
    expect(verdictOf('Float64', '0.10000000000000001')).toMatchObject({ reject: true, replacement: '0', reason: expect.stringMatching(/cannot be empty .*holds 0$/) });
  });
});

describe('Decimal', () => {
  it.each(['1234567890123456789012345678.0123456789', '-9999999999999999999999999999.9999999999', '0', '-0.0000000001', '12.5000000000000', '1.5e-7', '"12.34"'])('%s fits Decimal(38, 10)', (text) => {
    const verdict = verdictOf('Nullable(Decimal(38, 10))', text);
    expect(verdict === 'ok' || (verdict.reject === false && verdict.reason === null)).toBe(true);
  });

  it('writes exponents and needless zeros out as plain digits (ClickHouse counts written digits)', () => {
    expect(verdictOf('Decimal(38, 10)', '1.5e-7')).toEqual({ reject: false, reason: null, replacement: '0.00000015' });
    expect(verdictOf('Decimal(38, 10)', '100e-12')).toEqual({ reject: false, reason: null, replacement: '0.0000000001' });
    expect(verdictOf('Decimal(38, 10)', '12.5000000000000')).toEqual({ reject: false, reason: null, replacement: '12.5' });
  });

  it('refuses digits the column cannot hold, naming which', () => {
    expect(verdictOf('Nullable(Decimal(38, 10))', '0.00000000001')).toMatchObject({ reject: true, reason: 'more than 10 digits after the point, which a Decimal(38, 10) column cannot hold' });
    expect(verdictOf('Nullable(Decimal(38, 10))', '12345678901234567890123456789')).toMatchObject({ reject: true, reason: 'more than 28 digits before the point, which a Decimal(38, 10) column cannot hold' });
    expect(verdictOf('Nullable(Decimal(12, 2))', '1e10')).toMatchObject({ reject: true, reason: 'more than 10 digits before the point, which a Decimal(12, 2) column cannot hold' });
    expect(verdictOf('Nullable(Decimal(38, 10))', 'NaN')).toMatchObject({ reject: true, reason: 'NaN or Infinity, which a Decimal(38, 10) column cannot hold' });
  });
});

describe('Int64', () => {
  it('keeps every integer Int64 holds and sets aside the rest (ClickHouse would wrap them)', () => {
    expect(verdictOf('Int64', '9223372036854775807')).toBe('ok');
    expect(verdictOf('Int64', '-9223372036854775808')).toBe('ok');
    expect(verdictOf('Nullable(Int64)', '9223372036854775808')).toMatchObject({ reject: true, reason: 'an integer outside Int64 (±9223372036854775807)' });
    expect(verdictOf('Nullable(Int64)', '-Infinity')).toMatchObject({ reject: true });
  });
});

describe('dates', () => {
  it('on 18.16 Date holds 1970-01-01 … 2105-12-31', () => {
    expect(verdictOf('Nullable(Date)', '"1970-01-01"')).toBe('ok');
    expect(verdictOf('Nullable(Date)', '"2105-12-31"')).toBe('ok');
    expect(verdictOf('Nullable(Date)', '"1969-12-31"')).toMatchObject({ reject: true, reason: "date before 1970-01-01, which ClickHouse 18.16's Date cannot hold" });
    expect(verdictOf('Nullable(Date)', '"1900-01-01"')).toMatchObject({ reject: true });
    expect(verdictOf('Nullable(Date)', '"2106-01-01"')).toMatchObject({ reject: true, reason: "date after 2105-12-31, which ClickHouse 18.16's Date cannot hold" });
    expect(verdictOf('Nullable(Date)', '"9999-12-31"')).toMatchObject({ reject: true });
  });

  it('Date32 on 24.x holds 1900-01-01 … 2299-12-31', () => {
    expect(verdictOf('Nullable(Date32)', '"1900-01-01"', modern)).toBe('ok');
    expect(verdictOf('Nullable(Date32)', '"2299-12-31"', modern)).toBe('ok');
    expect(verdictOf('Nullable(Date32)', '"1899-12-31"', modern)).toMatchObject({ reject: true, reason: "date before 1900-01-01, which ClickHouse 22.8+'s Date32 cannot hold" });
    expect(verdictOf('Nullable(Date32)', '"9999-12-31"', modern)).toMatchObject({ reject: true });
  });

  it('refuses what is not a date, and counts a time of day dropped', () => {
    expect(verdictOf('Nullable(Date)', '"2024-02-30"')).toMatchObject({ reject: true, reason: expect.stringMatching(/^not a date/) });
    expect(verdictOf('Nullable(Date)', '"yesterday"')).toMatchObject({ reject: true });
    // A bare number is days since 1970, as ClickHouse reads it in JSON.
    expect(verdictOf('Nullable(Date)', '19782')).toEqual({ reject: false, reason: null, replacement: '"2024-02-29"' });
    expect(verdictOf('Nullable(Date)', 'true')).toMatchObject({ reject: true });
    expect(verdictOf('Nullable(Date)', '"2024-02-29T00:00:00Z"')).toBe('ok');
    expect(verdictOf('Nullable(Date)', '"2024-02-29T10:00:00Z"')).toEqual({ reject: false, reason: 'time of day dropped: the column holds dates only', replacement: null });
  });
});

describe('date-times', () => {
  it('18.16 DateTime: whole seconds from 1970 to the end of 2105; fractions counted, edges sent as UTC text', () => {
    expect(verdictOf('Nullable(DateTime)', '"2024-01-01T00:00:00.000000+00:00"')).toBe('ok');
    expect(verdictOf('Nullable(DateTime)', '"2023-11-14T22:13:21.000Z"')).toBe('ok');
    expect(verdictOf('Nullable(DateTime)', '"2024-01-01T00:00:00.5Z"')).toEqual({ reject: false, reason: 'fraction of a second dropped: ClickHouse before 20.1 stores whole seconds', replacement: null });
    expect(verdictOf('Nullable(DateTime)', '"1970-01-01T00:00:00+00:00"')).toEqual({ reject: false, reason: null, replacement: '"1970-01-01 00:00:00Z"' });
    expect(verdictOf('Nullable(DateTime)', '"1969-12-31T23:30:00-01:00"')).toEqual({ reject: false, reason: null, replacement: '"1970-01-01 00:30:00Z"' });
    // A bare number is seconds since 1970 (as ClickHouse reads it in JSON), written out as text.
    expect(verdictOf('Nullable(DateTime)', '1800')).toEqual({ reject: false, reason: null, replacement: '"1970-01-01 00:30:00Z"' });
    expect(verdictOf('Nullable(DateTime)', '-1')).toMatchObject({ reject: true });
    expect(verdictOf('Nullable(DateTime)', '1.5')).toMatchObject({ reject: true, reason: expect.stringMatching(/^not a date-time/) });
    expect(verdictOf('Nullable(DateTime)', '"1970-01-01T01:00:00+02:00"')).toMatchObject({ reject: true, reason: "date-time before 1970-01-01, which ClickHouse 18.16's DateTime cannot hold" });
    expect(verdictOf('Nullable(DateTime)', '"0001-01-01T00:00:00.000000+00:00"')).toMatchObject({ reject: true });
    expect(verdictOf('Nullable(DateTime)', '"2200-01-01T00:00:00.000000+00:00"')).toMatchObject({ reject: true, reason: "date-time after 2105-12-31, which ClickHouse 18.16's DateTime cannot hold" });
    expect(verdictOf('Nullable(DateTime)', '"not a time"')).toMatchObject({ reject: true, reason: expect.stringMatching(/^not a date-time/) });
    expect(verdictOf('DateTime', '"1900-01-01T12:00:00.123456+00:00"')).toMatchObject({ reject: true, replacement: '"1970-01-01T00:00:00Z"', reason: expect.stringMatching(/holds 1970-01-01 00:00:00$/) });
  });

  it("24.x DateTime64(6, 'UTC'): 1900 … 2299 to the microsecond", () => {
    const type = "Nullable(DateTime64(6, 'UTC'))";
    expect(verdictOf(type, '"2024-01-01T00:00:00.123456+00:00"', modern)).toBe('ok');
    expect(verdictOf(type, '"1950-06-01T00:00:00.5Z"', modern)).toBe('ok');
    expect(verdictOf(type, '"1900-01-01T12:00:00.123456+00:00"', modern)).toEqual({ reject: false, reason: null, replacement: '"1900-01-01 12:00:00.123456"' });
    expect(verdictOf(type, '"2200-01-01T00:00:00.000000+00:00"', modern)).toBe('ok');
    expect(verdictOf(type, '"0001-01-01T00:00:00.000000+00:00"', modern)).toMatchObject({ reject: true, reason: "date-time before 1900-01-01, which ClickHouse 22.8+'s DateTime64 cannot hold" });
    expect(verdictOf(type, '"2024-01-01T00:00:00.1234567Z"', modern)).toMatchObject({ reject: false, reason: 'digits of a second past the 6th dropped: the column keeps 6' });
  });
});

describe('UInt64', () => {
  it('holds 0 to 18446744073709551615 and keeps anything else aside', () => {
    for (const text of ['0', '18446744073709551615', '9223372036854775808', '-0']) expect(verdictOf('Nullable(UInt64)', text), text).toBe('ok');
    for (const text of ['18446744073709551616', '-1', '-9223372036854775808']) {
      expect(verdictOf('Nullable(UInt64)', text), text).toMatchObject({ reject: true, replacement: 'null', reason: 'an integer outside UInt64 (0 to 18446744073709551615)' });
    }
  });
});

describe('String', () => {
  it('passes text as it is and stores any other JSON value as its text, every character kept', () => {
    expect(verdictOf('Nullable(String)', '"Zoë"')).toBe('ok');
    expect(verdictOf('Nullable(String)', '2024')).toEqual({ reject: false, reason: null, replacement: '"2024"' });
    expect(verdictOf('String', '18446744073709551615')).toEqual({ reject: false, reason: null, replacement: '"18446744073709551615"' });
    expect(verdictOf('String', 'true')).toEqual({ reject: false, reason: null, replacement: '"true"' });
    expect(verdictOf('String', '{"a":[1,"é"]}')).toEqual({ reject: false, reason: null, replacement: '"{\\"a\\":[1,\\"é\\"]}"' });
  });
});
