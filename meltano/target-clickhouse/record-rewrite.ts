import { isSpace, skipString, skipValue, type Span } from './message-scan.js';
import type { RowBatch } from './row-batch.js';
import type { PlannedColumn } from './table-plan.js';
import type { Verdict } from './value-checks.js';

/** Told of every value a column's check found something about: [start, end) are its source bytes. */
export type OnVerdict = (column: PlannedColumn, verdict: Verdict, start: number, end: number) => void;

/**
 * The careful path, for streams where some values need converting or some properties are
 * renamed: walks the record's fields in its bytes and writes each one to the batch —
 * copied as it is, quoted as JSON text, or cut to a date — under its column name.
 * Values are never parsed into JS numbers, so integers beyond 2^53 and decimals keep every
 * digit. Writes the row without its closing brace; returns false when the record is not a
 * well-formed JSON object.
 */
export function rewriteRecord(
  buf: Buffer,
  record: Span,
  columns: Map<string, PlannedColumn & { prefix?: string }>,
  batch: RowBatch,
  onUnknown: (property: string) => void,
  onVerdict: OnVerdict,
): boolean {
  const end = record.end;
  let i = record.start + 1;
  let written = 0;
  batch.ascii('{');
  for (let first = true; ; first = false) {
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] === 0x7d) break;
    if (!first) {
      if (buf[i] !== 0x2c) return false;
      i += 1;
      while (i < end && isSpace(buf[i]!)) i += 1;
    }
    if (buf[i] !== 0x22) return false;
    const keyEnd = skipString(buf, i, end);
    if (keyEnd < 0) return false;
    const rawKey = buf.toString('utf8', i, keyEnd);
    const key = rawKey.includes('\\') ? (JSON.parse(rawKey) as string) : rawKey.slice(1, -1);
    i = keyEnd;
    while (i < end && isSpace(buf[i]!)) i += 1;
    if (buf[i] !== 0x3a) return false;
    i += 1;
    while (i < end && isSpace(buf[i]!)) i += 1;
    const valueEnd = skipValue(buf, i, end);
    if (valueEnd < 0) return false;
    const column = columns.get(key);
    if (!column) {
      onUnknown(key);
    } else {
      batch.ascii(`${written > 0 ? ',' : ''}"${column.name}":`);
      written += 1;
      const isString = buf[i] === 0x22;
      const isNull = buf[i] === 0x6e; // null
      const verdict = isNull ? undefined : column.check?.(buf, i, valueEnd);
      if (verdict) onVerdict(column, verdict, i, valueEnd);
      if (verdict?.replacement !== undefined) {
        batch.text(verdict.replacement);
      } else if (column.convert === 'pass' || isNull || (column.convert === 'stringify' && isString)) {
        batch.copy(buf, i, valueEnd);
      } else if (column.convert === 'stringify' || column.convert === 'json') {
        // A JSON column keeps the exact JSON text, so the string "42" stays apart from the number 42.
        batch.text(JSON.stringify(buf.toString('utf8', i, valueEnd)));
      } else {
        // 'date': keep "YYYY-MM-DD" of a date or date-time string; anything else ClickHouse refuses by name.
        const cut = isString && valueEnd - i > 12 ? i + 11 : valueEnd - 1;
        batch.copy(buf, i, cut);
        batch.ascii('"');
      }
    }
    i = valueEnd;
  }
  if (written === 0) batch.ascii('"_":0'); // an empty object stays valid; ClickHouse skips the unknown key
  return true;
}
