import type { Sql } from 'postgres';
import { canBeReplicationKey, columnSchema, type PgColumn } from './column-types.js';

/**
 * Discovery: the tables and views of the allowed schemas, read from pg_catalog, as a Singer
 * catalog. Stream ids are `<schema>-<table>`, exactly as meltanolabs-tap-postgres names them
 * (pipelines, stream offers and target table names rely on it).
 */
export type TableInfo = { schema: string; table: string; isView: boolean; columns: PgColumn[]; primaryKey: string[] };
export type CatalogEntry = {
  tap_stream_id: string;
  stream: string;
  table_name: string;
  schema: { type: 'object'; properties: Record<string, unknown> };
  key_properties: string[];
  replication_method?: string;
  replication_key?: string;
  metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
};

export const streamId = (schema: string, table: string) => `${schema}-${table}`;

type Row = { schema: string; table: string; relkind: string; column: string; sql_type: string; typname: string; element_typname: string | null; not_null: boolean; pk_position: number | null };

export async function readTables(sql: Sql, filterSchemas: string[]): Promise<TableInfo[]> {
  const rows = await sql<Row[]>`
    select n.nspname as schema, c.relname as table, c.relkind::text as relkind, a.attname as column,
           format_type(a.atttypid, a.atttypmod) as sql_type,
           bt.typname::text as typname,
           et.typname::text as element_typname,
           a.attnotnull as not_null,
           array_position(pk.indkey::int2[], a.attnum) as pk_position
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      join pg_type t on t.oid = a.atttypid
      join pg_type bt on bt.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
      left join pg_type et on et.oid = bt.typelem and bt.typcategory = 'A'
      left join pg_index pk on pk.indrelid = c.oid and pk.indisprimary
     where c.relkind in ('r', 'p', 'v', 'm', 'f')
       and not c.relispartition
       and n.nspname not in ('pg_catalog', 'information_schema')
       and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
       and (${filterSchemas.length === 0} or n.nspname = any(${filterSchemas}))
       and has_table_privilege(c.oid, 'select')
     order by n.nspname, c.relname, a.attnum`;
  const tables = new Map<string, TableInfo & { pk: [number, string][] }>();
  for (const row of rows) {
    const key = `${row.schema}\u0000${row.table}`;
    let table = tables.get(key);
    if (!table) {
      table = { schema: row.schema, table: row.table, isView: row.relkind === 'v' || row.relkind === 'm', columns: [], primaryKey: [], pk: [] };
      tables.set(key, table);
    }
    table.columns.push({ name: row.column, sqlType: row.sql_type, typname: row.typname, elementTypname: row.element_typname ?? undefined, notNull: row.not_null });
    if (row.pk_position !== null) table.pk.push([row.pk_position, row.column]);
  }
  return [...tables.values()].map(({ pk, ...table }) => ({ ...table, primaryKey: pk.sort((a, b) => a[0] - b[0]).map(([, name]) => name) }));
}

export function catalogEntry(table: TableInfo): CatalogEntry {
  const keys = new Set(table.primaryKey);
  const properties: Record<string, unknown> = {};
  for (const column of table.columns) properties[column.name] = columnSchema(column);
  const id = streamId(table.schema, table.table);
  return {
    tap_stream_id: id,
    stream: id,
    table_name: table.table,
    schema: { type: 'object', properties },
    key_properties: table.primaryKey,
    metadata: [
      {
        breadcrumb: [],
        metadata: {
          inclusion: 'available',
          'selected-by-default': true,
          'table-key-properties': table.primaryKey,
          'valid-replication-keys': table.columns.filter(canBeReplicationKey).map((c) => c.name),
          'replication-methods': ['FULL_TABLE', 'INCREMENTAL'],
          'schema-name': table.schema,
          'is-view': table.isView,
        },
      },
      ...table.columns.map((column) => ({
        breadcrumb: ['properties', column.name],
        metadata: { inclusion: keys.has(column.name) ? 'automatic' : 'available', 'selected-by-default': true, 'sql-datatype': column.sqlType },
      })),
    ],
  };
}

export async function discover(sql: Sql, filterSchemas: string[]) {
  return { streams: (await readTables(sql, filterSchemas)).map(catalogEntry) };
}
