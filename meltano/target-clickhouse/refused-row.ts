import type { PlannedColumn } from './table-plan.js';
import { parseTsvRow } from './tsv-text.js';

/**
 * Why ClickHouse refused a row, in our words: the first field that its column's type cannot
 * read, found by looking at the row as it was sent (`columns` in the INSERT's order). Our own
 * checks pass only values they know the column reads; what reaches ClickHouse unread (a word
 * in a number column, a malformed date) is what this finds.
 */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function reads(column: PlannedColumn, text: string): boolean {
  switch (column.spec.kind) {
    case 'int':
      return /^-?\d+$/.test(text);
    case 'float':
      return NUMBER.test(text) || /^-?(nan|inf)$/i.test(text);
    case 'decimal':
      return NUMBER.test(text);
    case 'bool':
      return /^(0|1|true|false)$/.test(text);
    case 'datetime':
      return /^\d+$/.test(text) || !Number.isNaN(Date.parse(text));
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text);
    case 'uuid':
      return UUID.test(text);
    default:
      return true;
  }
}

export type Misfit = { column: PlannedColumn; problem: string };

export function refusedField(columns: PlannedColumn[], row: string): Misfit | undefined {
  const fields = parseTsvRow(row);
  for (let k = 0; k < columns.length && k < fields.length; k += 1) {
    const column = columns[k]!;
    const text = fields[k];
    if (text === undefined) {
      if (!column.spec.nullable) return { column, problem: 'no value (null), which its column cannot hold: it is a sorting key or not nullable' };
      continue;
    }
    if (!reads(column, text)) return { column, problem: `${JSON.stringify(text).slice(0, 60)}, which is not a valid ${column.spec.kind}` };
  }
  return undefined;
}
