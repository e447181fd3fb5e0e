import type { ClickHouseClient } from '@clickhouse/client';
import type postgres from 'postgres';
import { safeName, tableName } from '../meltano/target-clickhouse/identifiers.js';
import { ACCOUNT_COLUMNS, ACCOUNTS, quoted } from './fidelity-source.js';

/**
 * Compares every row and column of the source table with what landed in ClickHouse.
 * Each value must be exact, or — where the column cannot hold it — kept word for word in
 * `_sluice_rejects` and counted by the run. Anything else (a value changed silently) is a
 * mismatch. Values are compared as text wherever a type could lose digits on the way
 * (decimals, 64-bit integers), as instants for times, as parsed JSON for JSON.
 */
export type Mismatch = { id: number; column: string; source: unknown; loaded: unknown; why: string };
export type Outcome = 'exact' | 'kept' | 'seconds' | 'tap-null';

/** How many values of each column ended which way: `count(column, outcome)` adds one. */
export function outcomeCounts<O extends string>() {
  const outcomes = new Map<string, Map<O, number>>();
  const count = (column: string, outcome: O) => {
    const byOutcome = outcomes.get(column) ?? new Map<O, number>();
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    outcomes.set(column, byOutcome);
  };
  return { outcomes, count };
}
export type Comparison = { mismatches: Mismatch[]; outcomes: Map<string, Map<Outcome, number>>; rows: number };
type Kind = 'int' | 'numeric' | 'real' | 'double' | 'bool' | 'date' | 'timestamp' | 'json' | 'array' | 'text' | 'bytes';

const kindOf = (pgType: string): Kind => {
  if (/^(smallint|integer|bigint)/.test(pgType)) return pgType.endsWith('[]') ? 'array' : 'int';
  if (pgType.endsWith('[]')) return 'array';
  if (pgType.startsWith('numeric')) return 'numeric';
  if (pgType === 'real') return 'real';
  if (pgType === 'double precision') return 'double';
  if (pgType === 'boolean') return 'bool';
  if (pgType === 'date') return 'date';
  if (pgType.startsWith('timestamp')) return 'timestamp';
  if (pgType === 'jsonb' || pgType === 'json') return 'json';
  if (pgType === 'bytea') return 'bytes';
  return 'text';
};

/** The source's value of each column as comparable text: exact decimals, epoch microseconds, days since 1970, JSON text. */
function sourceExpression(column: string, kind: Kind, pgType: string): string {
  const c = quoted(column);
  const padded = /^char\((\d+)\)/.exec(pgType);
  if (padded) return `rpad(${c}::text, ${padded[1]})`; // char(n) as the tap sends it: padded (a cast to text would trim)
  if (pgType === 'inet') return `abbrev(${c})`; // PostgreSQL's own text form, what the tap receives
  switch (kind) {
    case 'date':
      return `case when ${c} in ('infinity', '-infinity') then ${c}::text else (${c} - date '1970-01-01')::text end`;
    case 'timestamp':
      return `case when ${c} in ('infinity', '-infinity') then ${c}::text else (extract(epoch from ${c}) * 1000000)::bigint::text end`;
    case 'json':
      return `${c}::text`;
    case 'array':
      return `to_json(${c})::text`;
    case 'bytes':
      return `encode(${c}, 'hex')`;
    case 'text':
      return `${c}::varchar`; // char(n) keeps its padding as varchar, as the tap sends it
    default:
      return `${c}::text`;
  }
}

/** The ClickHouse column read back as text in the same terms. */
function loadedExpression(column: string, type: string): string {
  const c = `\`${column.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
  const base = type.replace(/^Nullable\((.*)\)$/, '$1');
  if (base === 'Date' || base === 'Date32') return `toString(toInt32(${c}))`;
  if (base === 'DateTime' || base.startsWith("DateTime('")) return `toString(toInt64(toUInt32(${c})) * 1000000)`;
  if (base.startsWith('DateTime64')) return `toString(toUnixTimestamp64Micro(${c}))`;
  return `toString(${c})`;
}

/** A decimal's digits without leading or trailing zeros (`007.50` → `7.5`), for comparing numbers as text. */
export const normalizeDecimal = (text: string) => {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  const negative = text.startsWith('-');
  let [whole = '0', fraction = ''] = text.replace(/^-/, '').split('.');
  whole = whole.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  const result = fraction ? `${whole}.${fraction}` : whole;
  return negative && result !== '0' ? `-${result}` : result;
};

/** `1e-10` → `0.0000000001`, `1.5E+3` → `1500`: numbers compared digit by digit, without exponents. */
function expandExponent(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '', exponent] = match;
  const digits = whole! + fraction;
  const point = whole!.length + Number(exponent);
  const body = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + body;
}
const canonicalNumber = (text: string) => normalizeDecimal(expandExponent(text));

/** What meltanolabs-tap-postgres sends for a source value it cannot put in JSON as it is (Singer SDK's conversions). */
function tapSends(kind: Kind, source: string | null): string | null {
  if (source === null) return null;
  if ((kind === 'double' || kind === 'real' || kind === 'numeric') && /^(NaN|-?Infinity)$/.test(source)) return null;
  if (kind === 'json' && source === 'null') return null; // psycopg2 reads a JSON null as None: SQL NULL and JSON null arrive alike
  // Singer SDK sends date infinity as 9999-12-31, timestamp ±infinity as 9999-12-31T23:59:59.999999 / 0001-01-01T00:00:00.
  if (kind === 'date' && source === 'infinity') return String(Date.parse('9999-12-31T00:00:00Z') / 86_400_000);
  if (kind === 'timestamp' && source === 'infinity') return String(BigInt(Date.parse('9999-12-31T23:59:59Z')) * 1000n + 999_999n);
  if (kind === 'timestamp' && source === '-infinity') return String(BigInt(Date.parse('0001-01-01T00:00:00Z')) * 1000n);
  return source;
}

/** What tap-sluice-postgres sends: every value as it is (NaN, ±Infinity, infinity dates included), except that JSON null, like SQL NULL, arrives as null. */
function sluiceTapSends(kind: Kind, source: string | null): string | null {
  if (source === null) return null;
  if (kind === 'json' && source === 'null') return null;
  return source;
}

function sameValue(kind: Kind, expected: string, loaded: string): boolean {
  switch (kind) {
    case 'numeric':
    case 'double':
      // Digit for digit: a Float64 column holds a decimal exactly only when its shortest form has the same digits.
      return canonicalNumber(expected) === canonicalNumber(loaded) || (/^(nan|NaN)$/.test(expected) && /^(nan|NaN)$/.test(loaded)) || (/^-?(inf|Infinity)$/.test(expected) && expected.startsWith('-') === loaded.startsWith('-') && /inf/i.test(loaded));
    case 'real':
      if (/^-?(inf|Infinity)$/.test(expected)) return expected.startsWith('-') === loaded.startsWith('-') && /inf/i.test(loaded);
      return Math.fround(Number(expected)) === Math.fround(Number(loaded)) || (/^(nan|NaN)$/.test(expected) && /^(nan|NaN)$/.test(loaded));
    case 'bool':
      return (expected === 'true' ? ['true', '1'] : ['false', '0']).includes(loaded);
    case 'json':
    case 'array':
      return deepEqual(JSON.parse(expected), safeJson(loaded));
    default:
      return expected === loaded;
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return Symbol('not JSON');
  }
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || typeof a !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A kept value (the JSON text the tap sent) in the comparison's terms. */
function keptAs(kind: Kind, json: string): string | null {
  const value = safeJson(json);
  // PostgreSQL's infinity dates and times, sent as they are (tap-sluice-postgres).
  if (typeof value === 'string' && (kind === 'date' || kind === 'timestamp') && /^-?infinity$/.test(value)) return value;
  if (typeof value === 'string' && kind === 'date') return String(Date.parse(`${value.slice(0, 10)}T00:00:00Z`) / 86_400_000);
  if (typeof value === 'string' && kind === 'timestamp') {
    const match = /^(.{19})(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)?$/.exec(value.replace(' ', 'T'));
    if (!match) return value;
    return String(BigInt(Date.parse(`${match[1]}${match[3] ?? 'Z'}`)) * 1000n + BigInt((match[2] ?? '').padEnd(6, '0')));
  }
  if (typeof value === 'number' || typeof value === 'string') return kind === 'numeric' || kind === 'double' || kind === 'real' ? normalizeDecimal(json) : String(value);
  return json;
}

export type RejectRow = { column: string; key: string; value: string; reason: string };

/** Reads the rejects the loader kept for a table, keyed by `<id>/<column name in ClickHouse>`. */
export async function readRejects(clickhouse: ClickHouseClient, database: string, table: string): Promise<Map<string, RejectRow>> {
  const exists = await (await clickhouse.query({ query: `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = '_sluice_rejects'`, format: 'JSONEachRow' })).json<{ n: string }>();
  if (Number(exists[0]?.n) === 0) return new Map();
  const rows = await (
    await clickhouse.query({ query: `SELECT column, key, value, reason FROM \`${database}\`._sluice_rejects WHERE table = '${table.replace(/'/g, "\\'")}' ORDER BY _sdc_sequence`, format: 'JSONEachRow' })
  ).json<RejectRow>();
  const byRow = new Map<string, RejectRow>();
  for (const row of rows) {
    const id = (safeJson(row.key) as { id?: number }).id;
    byRow.set(`${id}/${row.column}`, row); // the newest wins: a later sync may reject the same value again
  }
  return byRow;
}

export const accountsTable = () => tableName('', `public-${ACCOUNTS}`);

/**
 * Source rows against loaded rows (`loaded` already reduced to one row per id: FINAL, the
 * newest version, or one snapshot). `subSecondCounted` is true on servers without DateTime64.
 */
export async function compareAccounts(input: {
  source: postgres.Sql;
  clickhouse: ClickHouseClient;
  database: string;
  /** A WHERE/ORDER clause choosing the rows to compare, e.g. `FINAL` or a snapshot's sequence range. */
  from: string;
  /** Ids deleted at the source that this sync mode keeps (append, deduped without log-based replication). */
  deletedStay?: number[];
  /** Which source sent the rows: what meltanolabs-tap-postgres changes on the way (the default) differs from tap-sluice-postgres. */
  tap?: 'meltanolabs' | 'sluice';
}): Promise<Comparison> {
  const sends = input.tap === 'sluice' ? sluiceTapSends : tapSends;
  const table = accountsTable();
  const types = new Map(
    (
      await (await input.clickhouse.query({ query: `SELECT name, type FROM system.columns WHERE database = '${input.database}' AND table = '${table}'`, format: 'JSONEachRow' })).json<{
        name: string;
        type: string;
      }>()
    ).map((c) => [c.name, c.type]),
  );
  const columns = ACCOUNT_COLUMNS.map(([name, pgType]) => ({ name, pgType, kind: kindOf(pgType), loadedName: safeName(name) }));
  const sourceRows = await input.source.unsafe<Array<Record<string, string | null>>>(
    `select id::int as "__id", ${columns.map((c, i) => `${sourceExpression(c.name, c.kind, c.pgType)} as c${i}`).join(', ')} from ${quoted(ACCOUNTS)} order by id`,
  );
  const missing = columns.filter((c) => !types.has(c.loadedName)).map((c) => c.name);
  if (missing.length > 0) throw new Error(`columns missing in ClickHouse: ${missing.join(', ')} (has ${[...types.keys()].join(', ')})`);
  const loadedRows = await (
    await input.clickhouse.query({
      query: `SELECT toString(\`id\`) AS __id, ${columns.map((c, i) => `${loadedExpression(c.loadedName, types.get(c.loadedName)!)} AS c${i}`).join(', ')} FROM \`${input.database}\`.\`${table}\` ${input.from}`,
      format: 'JSONEachRow',
    })
  ).json<Record<string, string | null>>();
  const stay = new Set(input.deletedStay ?? []);
  const loadedById = new Map(loadedRows.map((r) => [Number(r.__id), r]));
  for (const id of stay) loadedById.delete(id);
  const rejects = await readRejects(input.clickhouse, input.database, table);
  const mismatches: Mismatch[] = [];
  const { outcomes, count } = outcomeCounts<Outcome>();
  if (loadedById.size !== sourceRows.length || loadedById.size + stay.size !== loadedRows.length) {
    mismatches.push({ id: 0, column: '(rows)', source: sourceRows.length, loaded: loadedRows.length, why: `row counts differ (${stay.size} deleted rows may stay)` });
  }
  for (const row of sourceRows) {
    const id = Number(row.__id);
    const loaded = loadedById.get(id);
    if (!loaded) {
      mismatches.push({ id, column: '(row)', source: 'present', loaded: 'missing', why: 'row missing in ClickHouse' });
      continue;
    }
    columns.forEach((c, i) => {
      const sourceValue = row[`c${i}`] ?? null;
      const sent = sends(c.kind, sourceValue);
      const value = loaded[`c${i}`] ?? null;
      if (sourceValue !== null && sent === null) {
        // The tap turned the value into null before Sluice saw it (NaN, ±Infinity).
        if (value === null) count(c.name, 'tap-null');
        else mismatches.push({ id, column: c.name, source: sourceValue, loaded: value, why: 'the tap sent null' });
        return;
      }
      if (sent === null || value === null) {
        if (sent === value) return count(c.name, 'exact');
        const kept = rejects.get(`${id}/${c.loadedName}`);
        if (sent !== null && kept && sameValue(c.kind, sent, keptAs(c.kind, kept.value) ?? '')) return count(c.name, 'kept');
        mismatches.push({ id, column: c.name, source: sent, loaded: value, why: 'NULL on one side only and nothing kept in _sluice_rejects' });
        return;
      }
      if (sameValue(c.kind, sent, value)) return count(c.name, 'exact');
      if (c.kind === 'timestamp' && !types.get(c.loadedName)!.includes('DateTime64') && BigInt(sent) - (BigInt(sent) % 1_000_000n) - (BigInt(sent) % 1_000_000n < 0n ? 1_000_000n : 0n) === BigInt(value)) {
        return count(c.name, 'seconds');
      }
      const kept = rejects.get(`${id}/${c.loadedName}`);
      if (kept && sameValue(c.kind, sent, keptAs(c.kind, kept.value) ?? '')) return count(c.name, 'kept');
      mismatches.push({ id, column: c.name, source: sent, loaded: value, why: 'changed silently' });
    });
  }
  return { mismatches, outcomes, rows: loadedRows.length };
}
