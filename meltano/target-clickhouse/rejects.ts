import { quoteIdent } from './identifiers.js';
import { isSpace, skipString, skipValue, type Span } from './message-scan.js';

/**
 * The rejects table: one row per source value a column could not hold exactly, with its
 * exact JSON text, so nothing a tap sent is lost. Created when the first such value comes.
 * Its rows go in with the batch they belong to, before that batch's STATE is emitted.
 */
export const REJECTS_TABLE = '_sluice_rejects';

export function rejectsTableDdl(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(database)}.${quoteIdent(REJECTS_TABLE)} ` +
    '(`stream` String, `table` String, `column` String, `key` String, `value` String, `reason` String, `_sdc_sequence` Int64, `_sdc_batched_at` DateTime) ' +
    'ENGINE = MergeTree ORDER BY (`stream`, `column`, `_sdc_sequence`)'
  );
}

export type RejectRow = { stream: string; table: string; column: string; key: string; value: string; reason: string; seq: number };

/** One JSONEachRow line; `batchedAt` is an ISO time with Z (read the same on every server). */
export function rejectLine(row: RejectRow, batchedAt: string): string {
  return `${JSON.stringify({ stream: row.stream, table: row.table, column: row.column, key: row.key, value: row.value, reason: row.reason, _sdc_batched_at: batchedAt }).slice(0, -1)},"_sdc_sequence":${row.seq}}\n`;
}

/** `{"id":1}`: the row's key properties with their source JSON text, `{}` for a stream without keys. */
export function keyJson(buf: Buffer, record: Span, keys: string[]): string {
  if (keys.length === 0) return '{}';
  const found = new Map<string, string>();
  const end = record.end;
  let i = record.start + 1;
  while (i < end) {
    while (i < end && (isSpace(buf[i]!) || buf[i] === 0x2c)) i += 1;
    if (buf[i] !== 0x22) break;
    const keyEnd = skipString(buf, i, end);
    if (keyEnd < 0) break;
    const raw = buf.toString('utf8', i, keyEnd);
    i = keyEnd;
    while (i < end && (isSpace(buf[i]!) || buf[i] === 0x3a)) i += 1;
    const valueEnd = skipValue(buf, i, end);
    if (valueEnd < 0) break;
    const name = JSON.parse(raw) as string;
    if (keys.includes(name)) found.set(name, buf.toString('utf8', i, valueEnd));
    i = valueEnd;
  }
  return `{${keys.map((k) => `${JSON.stringify(k)}:${found.get(k) ?? 'null'}`).join(',')}}`;
}
