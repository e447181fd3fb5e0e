import type { ColumnSpec, ServerFeatures } from './column-types.js';

/**
 * What a date or date-time column can hold on a given server, in days and seconds since
 * 1970-01-01 UTC, with the words a user reads when a value falls outside. Measured on 18.16:
 * Date and DateTime end at 2105-12-31 (2106-01-01 becomes 0, silently; 2106-02-07 06:28:15
 * wraps to 1970); earlier dates become 0. Newer servers: Date to 2149-06-06, DateTime to
 * 2106-02-07 06:28:15, Date32/DateTime64 1900-01-01 … 2299-12-31 from 22.8 (1925 … 2283-11-11
 * before). Where we are not sure of a version's range we take the narrower one.
 */
export type Range = { minDay: number; maxDay: number; minSecond: number; maxSecond: number; minYear: number; maxYear: number; below: string; above: string };

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function range(from: [number, number, number], to: [number, number, number], lastSecond: number, type: string, server: string): Range {
  const minDay = daysFromCivil(...from);
  const maxDay = daysFromCivil(...to);
  const text = (d: [number, number, number]) => `${String(d[0]).padStart(4, '0')}-${String(d[1]).padStart(2, '0')}-${String(d[2]).padStart(2, '0')}`;
  return {
    minDay,
    maxDay,
    minSecond: minDay * 86400,
    maxSecond: maxDay * 86400 + lastSecond,
    minYear: from[0],
    maxYear: to[0],
    below: `before ${text(from)}, which ${server}'s ${type} cannot hold`,
    above: `after ${text(to)}, which ${server}'s ${type} cannot hold`,
  };
}

/** The server as users know it: "ClickHouse 18.16", or the feature that matters. */
const serverName = (features: ServerFeatures) => (features.wideDates ? 'ClickHouse 22.8+' : features.date32 ? 'ClickHouse 21.9-22.7' : features.dateTime64 ? 'ClickHouse 20.1-21.8' : 'ClickHouse 18.16');

export function dateRange(spec: ColumnSpec, features: ServerFeatures): Range {
  const server = serverName(features);
  if (spec.wide) return features.wideDates ? range([1900, 1, 1], [2299, 12, 31], 86399, 'Date32', server) : range([1925, 1, 1], [2283, 11, 11], 86399, 'Date32', server);
  return features.wideDates ? range([1970, 1, 1], [2149, 6, 6], 86399, 'Date', server) : range([1970, 1, 1], [2105, 12, 31], 86399, 'Date', server);
}

export function dateTimeRange(spec: ColumnSpec, features: ServerFeatures): Range {
  const server = serverName(features);
  if (spec.wide) {
    if (features.wideDates) return range([1900, 1, 1], [2299, 12, 31], 86399, 'DateTime64', server);
    if (features.date32) return range([1925, 1, 1], [2283, 11, 11], 86399, 'DateTime64', server);
    return range([1970, 1, 1], [2105, 12, 31], 86399, 'DateTime64', server);
  }
  // 2106-02-07 06:28:15 is the last second of a 32-bit DateTime; 18.16 stops at the end of 2105.
  return features.wideDates ? range([1970, 1, 1], [2106, 2, 7], 6 * 3600 + 28 * 60 + 15, 'DateTime', server) : range([1970, 1, 1], [2105, 12, 31], 86399, 'DateTime', server);
}
