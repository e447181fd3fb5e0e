import { clickhouseType, columnKind, type Column } from './column-types.js';
import type { TargetConfig } from './config.js';
import { safeName, tableName } from './identifiers.js';
import { MessageError, parseMessage, type RecordMessage, type SchemaMessage } from './messages.js';
import type { Warehouse } from './warehouse.js';

type StreamBuffer = {
  stream: string;
  table: string;
  columns: Map<string, Column>;
  keys: string[];
  rows: string[];
  bytes: number;
  received: number;
  inserted: number;
  droppedProperties: Set<string>;
  firstBufferedAt: number;
};

export type LoaderOutput = { emitState: (value: unknown) => void; log: (line: string) => void };

const METADATA_COLUMNS: Array<Omit<Column, 'type'> & { kind: Column['kind'] }> = [
  { name: '_sdc_extracted_at', source: '_sdc_extracted_at', kind: 'datetime', nullable: true },
  { name: '_sdc_received_at', source: '_sdc_received_at', kind: 'datetime', nullable: false },
  { name: '_sdc_batched_at', source: '_sdc_batched_at', kind: 'datetime', nullable: false },
  { name: '_sdc_deleted_at', source: '_sdc_deleted_at', kind: 'datetime', nullable: true },
  { name: '_sdc_sequence', source: '_sdc_sequence', kind: 'int', nullable: false },
  { name: '_sdc_table_version', source: '_sdc_table_version', kind: 'int', nullable: true },
];

/**
 * The Singer message loop. Records are buffered per stream as JSONEachRow text and inserted
 * in batches; a STATE is emitted only once every record received before it is committed,
 * so a crash can repeat rows (deduplicated by key) but never lose them.
 *
 * Properties a record carries that its SCHEMA did not declare are dropped (one warning per
 * property), because a column's type must come from a schema, not be guessed from a value.
 */
export function createLoader(config: TargetConfig, warehouse: Warehouse, out: LoaderOutput) {
  const streams = new Map<string, StreamBuffer>();
  let pendingState: { value: unknown } | undefined;
  let sequence = Date.now() * 1000;
  const now = () => new Date().toISOString();

  function toColumn(name: string, source: string, kind: Column['kind'], nullable: boolean): Column {
    return { name, source, kind, nullable, type: clickhouseType(kind, warehouse.features) };
  }

  async function handleSchema(message: SchemaMessage, line: number) {
    const existing = streams.get(message.stream);
    if (existing && existing.rows.length > 0) await flush(existing);
    const properties = message.schema.properties ?? {};
    const missingKey = message.key_properties.find((k) => !(k in properties));
    if (missingKey) throw new MessageError(line, `key property "${missingKey}" is not in the schema`, message.stream);
    const columns = new Map<string, Column>();
    for (const [property, schema] of Object.entries(properties)) {
      const { kind, nullable } = columnKind(schema as Parameters<typeof columnKind>[0]);
      const isKey = message.key_properties.includes(property);
      // Sorting keys cannot be Nullable in ClickHouse; a null key lands as the type's default.
      columns.set(property, toColumn(safeName(property), property, kind, nullable && !isKey));
    }
    const table = tableName(config.table_prefix, message.stream);
    const all = [...columns.values(), ...METADATA_COLUMNS.map((m) => toColumn(m.name, m.source, m.kind, m.nullable))];
    const present = await warehouse.existingColumns(table);
    if (present.size === 0) {
      await warehouse.createTable(table, all, message.key_properties.map((k) => columns.get(k)!.name));
    } else {
      for (const column of all) if (!present.has(column.name)) await warehouse.addColumn(table, column);
    }
    streams.set(message.stream, {
      stream: message.stream,
      table,
      columns,
      keys: message.key_properties,
      rows: existing?.rows ?? [],
      bytes: existing?.bytes ?? 0,
      received: existing?.received ?? 0,
      inserted: existing?.inserted ?? 0,
      droppedProperties: existing?.droppedProperties ?? new Set(),
      firstBufferedAt: 0,
    });
  }

  function convert(value: unknown, column: Column, line: number, stream: string): unknown {
    if (value === null || value === undefined) return null;
    const misfit = () => new MessageError(line, `property "${column.source}" has ${JSON.stringify(value).slice(0, 60)}, which is not a valid ${column.kind}`, stream);
    switch (column.kind) {
      case 'int':
        if (typeof value === 'number' && Number.isInteger(value)) return value;
        if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
        throw misfit();
      case 'float':
        if (typeof value === 'number') return value;
        if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
        throw misfit();
      case 'bool':
        if (typeof value !== 'boolean') throw misfit();
        return warehouse.features.bool ? value : value ? 1 : 0;
      case 'datetime':
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw misfit();
        return value;
      case 'date':
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw misfit();
        return value.slice(0, 10);
      case 'json':
        return typeof value === 'string' ? value : JSON.stringify(value);
      default:
        return typeof value === 'string' ? value : JSON.stringify(value);
    }
  }

  function handleRecord(message: RecordMessage, line: number) {
    const buffer = streams.get(message.stream);
    if (!buffer) throw new MessageError(line, 'RECORD arrived before any SCHEMA for its stream', message.stream);
    const row: Record<string, unknown> = {};
    for (const [property, value] of Object.entries(message.record)) {
      const column = buffer.columns.get(property);
      if (!column) {
        if (!buffer.droppedProperties.has(property)) {
          buffer.droppedProperties.add(property);
          out.log(`WARNING stream "${message.stream}": property "${property}" is not in the schema; its values are not loaded`);
        }
        continue;
      }
      row[column.name] = convert(value, column, line, message.stream);
    }
    const at = now();
    row._sdc_extracted_at = message.time_extracted ?? null;
    row._sdc_received_at = at;
    row._sdc_batched_at = at;
    row._sdc_deleted_at = (message.record._sdc_deleted_at as string | undefined) ?? null;
    row._sdc_sequence = (sequence += 1);
    row._sdc_table_version = message.version ?? null;
    const text = JSON.stringify(row);
    if (buffer.rows.length === 0) buffer.firstBufferedAt = Date.now();
    buffer.rows.push(text);
    buffer.bytes += text.length;
    buffer.received += 1;
  }

  async function flush(buffer: StreamBuffer) {
    if (buffer.rows.length === 0) return;
    const rows = buffer.rows;
    buffer.rows = [];
    buffer.bytes = 0;
    try {
      await warehouse.insertRows(buffer.table, rows);
    } catch (error) {
      throw new Error(`stream "${buffer.stream}": ClickHouse refused a batch of ${rows.length} rows: ${error instanceof Error ? error.message : String(error)}`);
    }
    buffer.inserted += rows.length;
  }

  async function flushAll() {
    for (const buffer of streams.values()) await flush(buffer);
    if (pendingState) {
      out.emitState(pendingState.value);
      pendingState = undefined;
    }
  }

  const needsFlush = () =>
    [...streams.values()].some(
      (b) => b.rows.length >= config.batch_size_rows || b.bytes >= config.batch_size_bytes || (b.rows.length > 0 && Date.now() - b.firstBufferedAt >= config.batch_max_age_ms),
    );

  return {
    async handleLine(text: string, line: number) {
      if (text.trim() === '') return;
      const message = parseMessage(text, line);
      switch (message.type) {
        case 'SCHEMA':
          await handleSchema(message, line);
          break;
        case 'RECORD':
          handleRecord(message, line);
          break;
        case 'STATE':
          pendingState = { value: message.value };
          if ([...streams.values()].every((b) => b.rows.length === 0)) await flushAll();
          break;
        case 'ACTIVATE_VERSION':
          // Versioned full-table replacement is handled in a later step; rows stay, nothing is lost.
          break;
      }
      if (needsFlush()) await flushAll();
    },
    /** Commits what is buffered and emits the last state. Called at end of input and before stopping on an error. */
    finish: flushAll,
    /** Commits the rows buffered so far but emits no state (after an error, the state may cover unloaded rows). */
    async commitValidRows() {
      for (const buffer of streams.values()) await flush(buffer);
    },
    counts: () => [...streams.values()].map((b) => ({ stream: b.stream, table: b.table, received: b.received, inserted: b.inserted })),
  };
}
