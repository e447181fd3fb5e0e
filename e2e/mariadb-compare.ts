import type { ClickHouseClient } from '@clickhouse/client';
import { safeName, tableName } from '../meltano/target-clickhouse/identifiers.js';
import { normalizeDecimal, outcomeCounts, readRejects } from './fidelity-compare.js';
import { mariadb, ORDER_COLUMNS, ORDERS, quoted, type ColumnKind } from './mariadb-source.js';

/**
 * Every row and column of the MariaDB table against what landed in ClickHouse. Each value
 * is exact, or kept word for word in `_sluice_rejects` (`kept`), or stored without its
 * fraction of a second on a server without DateTime64 (`seconds`) — both counted by the run —
 * or changed by the tap in a way this file names (`collapsed`: pipelinewise-tap-mysql sends
 * BIT(n) as true/false). Anything else is a mismatch.
 */
export type Outcome = 'exact' | 'kept' | 'seconds' | 'collapsed';
export type Mismatch = { id: number; column: string; source: unknown; loaded: unknown; why: string };
export type Comparison = { mismatches: Mismatch[]; outcomes: Map<string, Map<Outcome, number>>; rows: number };

/** The source's value as comparable text, from MariaDB itself (its session in UTC). */
function sourceExpression(name: string, kind: ColumnKind): string {
  const c = quoted(name);
  switch (kind) {
    case 'instant':
      // A zero date (0000-00-00, 2024-00-10) is no instant: kept as text to compare with what the tap sent.
      return `if(year(${c}) = 0 or month(${c}) = 0 or dayofmonth(${c}) = 0, concat('zero:', cast(${c} as char)), cast(timestampdiff(microsecond, timestamp '1970-01-01 00:00:00', ${c}) as char))`;
    case 'time':
      return `cast(time_to_sec(${c}) as char)`;
    case 'bits':
    case 'bool':
      return `cast(${c} + 0 as char)`;
    case 'hex':
      return `lower(hex(${c}))`;
    default:
      return `cast(${c} as char)`;
  }
}

/** The ClickHouse column read back in the same terms. */
function loadedExpression(name: string, type: string): string {
  const c = `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
  const base = type.replace(/^Nullable\((.*)\)$/, '$1');
  if (base === 'Date' || base === 'Date32') return `toString(toInt64(toInt32(${c})) * 86400000000)`;
  if (base === 'DateTime' || base.startsWith("DateTime('")) return `toString(toInt64(toUInt32(${c})) * 1000000)`;
  if (base.startsWith('DateTime64')) return `toString(toUnixTimestamp64Micro(${c}))`;
  return `toString(${c})`;
}


/** Python's timedelta text, as the tap sends TIME: `1:02:03`, `34 days, 22:59:59`, `-35 days, 1:00:01`. */
export function timedeltaSeconds(text: string): number | undefined {
  const match = /^(?:(-?\d+) days?, )?(\d+):(\d\d):(\d\d)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1] ?? 0) * 86400 + Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
}

/** An ISO date-time the tap sent, as epoch microseconds (UTC when it names no offset). */
function isoMicros(text: string): string | undefined {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)?$/.exec(text);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}T${match[2]}${match[4] ?? 'Z'}`);
  if (Number.isNaN(seconds)) return undefined;
  return String(BigInt(seconds) * 1000n + BigInt((match[3] ?? '').padEnd(6, '0')));
}

function sameValue(kind: ColumnKind, source: string, loaded: string): boolean {
  switch (kind) {
    case 'decimal':
      return normalizeDecimal(source) === normalizeDecimal(loaded);
    case 'float':
      return Number(source) === Number(loaded);
    case 'time':
      return Number(source) === timedeltaSeconds(loaded);
    case 'bool':
      return (source === '1' ? ['1', 'true'] : ['0', 'false']).includes(loaded);
    case 'hex':
      return source === loaded.toLowerCase(); // the tap sends upper-case hex
    default:
      return source === loaded;
  }
}

/** Whether the value kept in _sluice_rejects (the JSON text the tap sent) is the source's. */
function keptIsSource(kind: ColumnKind, source: string, kept: string): boolean {
  const value = JSON.parse(kept) as unknown;
  if (kind === 'instant' && typeof value === 'string') {
    if (source.startsWith('zero:')) return value.startsWith(source.slice('zero:'.length).slice(0, 10));
    return isoMicros(value) === source;
  }
  if (kind === 'decimal' || kind === 'float' || kind === 'int') return normalizeDecimal(kept) === normalizeDecimal(source) || Number(kept) === Number(source);
  return typeof value === 'string' && sameValue(kind, source, value);
}

export const ordersTable = (database: string) => tableName('', `${database}-${ORDERS}`);

/**
 * `from`: a clause choosing one row per id in ClickHouse (FINAL, or the newest version);
 * `deletedStay`: ids deleted at the source that this sync mode keeps.
 */
export async function compareOrders(input: { sourceDatabase: string; clickhouse: ClickHouseClient; database: string; from: string; deletedStay?: number[] }): Promise<Comparison> {
  const table = ordersTable(input.sourceDatabase);
  const types = new Map(
    (await (await input.clickhouse.query({ query: `SELECT name, type FROM system.columns WHERE database = '${input.database}' AND table = '${table.replace(/'/g, "\\'")}'`, format: 'JSONEachRow' })).json<{ name: string; type: string }>()).map((c) => [
      c.name,
      c.type,
    ]),
  );
  const columns = ORDER_COLUMNS.filter((c) => c.kind !== 'unsupported').map((c) => ({ ...c, loadedName: safeName(c.name) }));
  const missing = columns.filter((c) => !types.has(c.loadedName)).map((c) => c.name);
  if (missing.length > 0) throw new Error(`columns missing in ClickHouse: ${missing.join(', ')} (has ${[...types.keys()].join(', ')})`);

  const lines = await mariadb(
    `set time_zone = '+00:00'; select json_object('__id', id, ${columns.map((c, i) => `'c${i}', ${sourceExpression(c.name, c.kind)}`).join(', ')}) from ${quoted(ORDERS)} order by id`,
    input.sourceDatabase,
  );
  const sourceRows = lines.map((line) => JSON.parse(line) as Record<string, string | number | null>);
  const loadedRows = await (
    await input.clickhouse.query({
      query: `SELECT toString(\`id\`) AS __id, ${columns.map((c, i) => `${loadedExpression(c.loadedName, types.get(c.loadedName)!)} AS c${i}`).join(', ')} FROM \`${input.database}\`.\`${table}\` ${input.from}`,
      format: 'JSONEachRow',
    })
  ).json<Record<string, string | null>>();
  const loadedById = new Map(loadedRows.map((r) => [Number(r.__id), r]));
  for (const id of input.deletedStay ?? []) loadedById.delete(id);
  const rejects = await readRejects(input.clickhouse, input.database, table);
  const dateTime64 = [...types.values()].some((t) => t.includes('DateTime64'));

  const mismatches: Mismatch[] = [];
  const { outcomes, count } = outcomeCounts<Outcome>();
  for (const row of sourceRows) {
    const id = Number(row.__id);
    const loaded = loadedById.get(id);
    loadedById.delete(id);
    if (!loaded) {
      mismatches.push({ id, column: '*', source: 'row', loaded: undefined, why: 'row missing in ClickHouse' });
      continue;
    }
    columns.forEach((column, i) => {
      const raw = row[`c${i}`];
      const source = raw === null || raw === undefined ? null : String(raw);
      const value = loaded[`c${i}`] ?? null;
      const mismatch = (why: string) => mismatches.push({ id, column: column.name, source, loaded: value, why });
      if (source === null) return value === null ? count(column.name, 'exact') : mismatch('NULL at the source');
      if (value !== null && sameValue(column.kind, source, value)) return count(column.name, 'exact');
      if (column.kind === 'bits' && value !== null && (value === '1' || value === 'true') === (source !== '0')) return count(column.name, 'collapsed');
      if (column.kind === 'instant' && value !== null && !dateTime64 && /^-?\d+$/.test(source)) {
        const seconds = BigInt(source) / 1_000_000n - (BigInt(source) < 0n && BigInt(source) % 1_000_000n !== 0n ? 1n : 0n);
        if (String(seconds * 1_000_000n) === value) return count(column.name, 'seconds');
      }
      const kept = rejects.get(`${id}/${column.loadedName}`);
      if (kept && (value === null || value === '0' || value === '1970-01-01' || value === '0000-00-00')) {
        return keptIsSource(column.kind, source, kept.value) ? count(column.name, 'kept') : mismatch(`kept in _sluice_rejects as ${kept.value}, which is not the source's value`);
      }
      mismatch(value === null ? 'NULL in ClickHouse, and nothing kept in _sluice_rejects' : 'different value');
    });
  }
  for (const id of loadedById.keys()) mismatches.push({ id, column: '*', source: undefined, loaded: 'row', why: 'row in ClickHouse that the source does not have' });
  return { mismatches, outcomes, rows: sourceRows.length };
}
