import type { CopyConnection } from './copy-connection.js';
import { columnSchema, copyColumn, jsonExpression, quoteIdent, quoteLiteral, type PgColumn } from './column-types.js';
import { recordFramer } from './copy-lines.js';
import { streamId, type TableInfo } from './discover.js';
import type { StreamRequest } from './selection.js';

/**
 * Reads the requested streams with COPY, a few at once (one connection each), and writes
 * SCHEMA, RECORD and STATE lines. Every write is whole lines, so streams read in parallel
 * never interleave within a line. An incremental stream is read in key order and bookmarked
 * every `stateEveryRows` rows, after the records the bookmark covers; a resumed run starts
 * at `key >= bookmark` (as the Singer SDK does), so a crash repeats at most the boundary rows.
 */
export type State = { bookmarks?: Record<string, { replication_key?: string; replication_key_value?: unknown } & Record<string, unknown>> } & Record<string, unknown>;
/** `onWritten`: called once the bytes are handed to the system (the buffer may then be reused). */
export type Output = { write(text: string | Buffer, onWritten?: () => void): Promise<void> | void };
export type SyncOptions = { openCopy: () => Promise<CopyConnection>; out: Output; log: (line: string) => void; state: State; parallel: number; stateEveryRows: number; metricEveryMs?: number };

const NUMBER_KEYS = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'oid']);

/** The bookmark as state JSON holds it: numbers as numbers while exact, else as their text. */
function bookmarkValue(keyJson: string, column: PgColumn): unknown {
  if (NUMBER_KEYS.has(column.typname)) {
    const n = Number(keyJson);
    return Number.isFinite(n) && String(n) === keyJson ? n : keyJson;
  }
  return JSON.parse(keyJson) as unknown;
}

export function copyQuery(table: TableInfo, columns: PgColumn[], key: PgColumn | undefined, from: unknown): string {
  const source = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
  const selected = [...columns.map((c) => copyColumn(c).sql), ...(key ? [jsonExpression(key)] : [])];
  // Nothing selected still makes one (empty) field per row: each row becomes {}.
  let select = `SELECT ${selected.length > 0 ? selected.join(', ') : "''"}`;
  select += ` FROM ${source}`;
  if (key && from !== undefined && from !== null) select += ` WHERE ${quoteIdent(key.name)} >= ${quoteLiteral(String(from))}::${key.sqlType}`;
  if (key) select += ` ORDER BY ${quoteIdent(key.name)}`;
  return `COPY (${select}) TO STDOUT`;
}

export async function syncStreams(tables: Map<string, TableInfo>, requests: StreamRequest[], options: SyncOptions): Promise<void> {
  const state: State = structuredClone(options.state ?? {});
  state.bookmarks ??= {};
  const stateLine = () => `${JSON.stringify({ type: 'STATE', value: state })}\n`;
  const queue = [...requests];
  const failures: Error[] = [];

  async function syncOne(request: StreamRequest) {
    const table = tables.get(request.stream);
    if (!table) throw new Error(`stream "${request.stream}": the table or view is gone (or this user can no longer read it); run discovery again`);
    const wanted = new Set(request.properties);
    const missing = request.properties.filter((p) => !table.columns.some((c) => c.name === p));
    if (missing.length > 0) options.log(`WARNING stream "${request.stream}": columns no longer in the table, skipped: ${missing.join(', ')}`);
    // Columns the catalog does not know were added after it was discovered (Sluice may sync from an older discovery).
    const added = table.columns.filter((c) => !request.listed.includes(c.name)).map((c) => c.name);
    if (added.length > 0 && request.wholeTable) for (const name of added) wanted.add(name);
    if (added.length > 0) options.log(`INFO stream "${request.stream}": columns added since the catalog was discovered, ${request.wholeTable ? 'read as well' : 'not read (the catalog selects columns one by one)'}: ${added.join(', ')}`);
    const columns = table.columns.filter((c) => wanted.has(c.name));
    let key: PgColumn | undefined;
    if (request.method === 'INCREMENTAL') {
      key = table.columns.find((c) => c.name === request.replicationKey);
      if (!key) throw new Error(`stream "${request.stream}": the replication key column "${request.replicationKey}" is not in the table`);
    }
    const properties: Record<string, unknown> = {};
    for (const column of columns) properties[column.name] = columnSchema(column);
    const keyProperties = table.primaryKey.filter((k) => wanted.has(k));
    await options.out.write(
      `${JSON.stringify({ type: 'SCHEMA', stream: request.stream, schema: { type: 'object', properties }, key_properties: keyProperties, ...(key ? { bookmark_properties: [key.name] } : {}) })}\n`,
    );
    const previous = state.bookmarks![request.stream];
    const from = key && previous?.replication_key === key.name ? previous.replication_key_value : undefined;
    if (key) state.bookmarks![request.stream] = { replication_key: key.name, ...(from !== undefined ? { replication_key_value: from } : {}) };
    const started = Date.now();
    options.log(`INFO stream "${request.stream}": ${request.method === 'INCREMENTAL' ? `incremental by "${key!.name}"${from !== undefined ? ` from ${JSON.stringify(from)}` : ', from the start'}` : 'full table'}, ${columns.length} columns`);
    const framer = recordFramer(request.stream, columns.map((c) => ({ name: c.name, encoding: copyColumn(c).encoding })), key !== undefined);
    let sinceState = 0;
    // The Singer SDK's record_count: rows since the previous line, so a reader sums them (Sluice does).
    let reported = 0;
    let reportedAt = Date.now();
    const reportCount = () => {
      options.log(`METRIC: ${JSON.stringify({ type: 'counter', metric: 'record_count', value: framer.rows - reported, tags: { stream: request.stream } })}`);
      reported = framer.rows;
      reportedAt = Date.now();
    };
    // Output is written without waiting; when stdout is full, reading from the server pauses until it drains.
    let waiting: Promise<void> | undefined;
    const send = (chunk: string | Buffer, onWritten?: () => void) => {
      const wait = options.out.write(chunk, onWritten);
      if (wait) waiting = wait;
    };
    // Full blocks go out as they fill; what is framed also goes out at least once a second, so a
    // slow source's rows do not wait for a block to fill.
    let wroteAt = Date.now();
    const sendFramed = (all: boolean) => {
      for (const block of framer.take(all)) send(block, () => framer.recycle(block));
      wroteAt = Date.now();
    };
    const bookmark = () => {
      if (key && framer.lastKey !== undefined) state.bookmarks![request.stream] = { replication_key: key.name, replication_key_value: bookmarkValue(framer.lastKey, key) };
    };
    const connection = await options.openCopy();
    try {
      let counted = 0;
      await connection.copy(copyQuery(table, columns, key, from), {
        onRow: framer.row,
        onBatch() {
          sinceState += framer.rows - counted;
          counted = framer.rows;
          const now = Date.now();
          if (framer.readyBytes > 0 || now - wroteAt >= 1000) sendFramed(now - wroteAt >= 1000);
          if (now - reportedAt >= (options.metricEveryMs ?? 5000)) reportCount();
          if (key && sinceState >= options.stateEveryRows && framer.lastKey !== undefined) {
            bookmark();
            // A bookmark goes out after the records it covers.
            sendFramed(true);
            send(stateLine());
            sinceState = 0;
          }
          if (waiting) {
            const drained = waiting;
            waiting = undefined;
            connection.pause();
            void drained.then(() => connection.resume());
          }
        },
      });
    } finally {
      await connection.end();
    }
    sendFramed(true);
    bookmark();
    send(stateLine());
    if (waiting) await waiting;
    const seconds = (Date.now() - started) / 1000;
    reportCount();
    options.log(`INFO stream "${request.stream}": ${framer.rows} rows in ${seconds.toFixed(1)} s`);
  }

  async function worker() {
    for (let request = queue.shift(); request; request = queue.shift()) {
      try {
        await syncOne(request);
      } catch (error) {
        failures.push(error instanceof Error ? error : new Error(String(error)));
        // One failed stream stops the run: the others' state so far is already out.
        queue.length = 0;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, requests.length)) }, worker));
  if (failures.length > 0) throw failures[0]!;
}

export const tablesByStream = (tables: TableInfo[]) => new Map(tables.map((t) => [streamId(t.schema, t.table), t]));
