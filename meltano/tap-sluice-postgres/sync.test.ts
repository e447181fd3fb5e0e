import { describe, expect, it } from 'vitest';
import type { PgColumn } from './column-types.js';
import { copyQuery } from './sync.js';

const column = (name: string, typname: string, sqlType: string): PgColumn => ({ name, typname, sqlType, elementTypname: undefined, notNull: false });
const table = { schema: 'My "Schema"', table: 'select', isView: false, columns: [], primaryKey: [] };

describe('copyQuery', () => {
  it('reads a whole table as it lies', () => {
    expect(copyQuery(table, [column('id', 'int4', 'integer')], undefined, undefined)).toBe(`COPY (SELECT "id" FROM "My ""Schema"""."select") TO STDOUT`);
  });

  it('reads an incremental stream in key order from the bookmark, the bookmark a quoted literal cast to the key type', () => {
    const key = column('updated at', 'timestamptz', 'timestamp with time zone');
    const query = copyQuery(table, [key], key, "2024-01-01T00:00:00+00:00' or 1=1 --");
    expect(query).toContain(`WHERE "updated at" >= '2024-01-01T00:00:00+00:00'' or 1=1 --'::timestamp with time zone ORDER BY "updated at") TO STDOUT`);
    expect(query).toContain(`, coalesce(to_json("updated at")::text, 'null') FROM`);
    expect(copyQuery(table, [key], key, undefined)).not.toContain('WHERE');
  });
});
