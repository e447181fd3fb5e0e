import type { TargetConfig } from './config.js';
import { tableName } from './identifiers.js';
import type { Consumed } from './line-reader.js';
import { isRecordType, scanCompactRecord, scanMessage, type ScannedMessage, type Span } from './message-scan.js';
import { MessageError, parseMessage, type SchemaMessage } from './messages.js';
import { createLoadClock } from './load-times.js';
import { LossyCounts, type Lossy } from './lossy-counts.js';
import { recordRow, type RecordRow } from './record-row.js';
import { keyJson, rejectLine, rejectsTableDdl, REJECTS_TABLE } from './rejects.js';
import { firstRowsEnd, RowBatch, rowText, type SealedRows } from './row-batch.js';
import { startProgress } from './progress.js';
import { dropsOlderVersions } from './sync-modes.js';
import { completeStreamTable, discardStreamTable, openStreamTable, type StreamTable } from './stream-table.js';
import { TENANT_COLUMN, type PlannedColumn, type TablePlan } from './table-plan.js';
import { refusedField } from './refused-row.js';
import { escapeText, NULL_FIELD, writeBytes, writeByte, writeJsonField } from './tsv-text.js';
import { InsertError, type Warehouse } from './warehouse.js';

export type LoaderOutput = { emitState: (value: unknown) => void; log: (line: string) => void };
/** `ok` is about row counts only; `lossy` lists the values that could not be stored exactly. */
export type StreamCounts = { stream: string; table: string; received: number; inserted: number; inTable: number; distinctKeys: number | undefined; ok: boolean; lossy: Lossy[] };

type StreamState = {
  name: string;
  nameBytes: Buffer;
  /** `{"type":"RECORD","stream":"<name>","record":` as taps print it (undefined when the name needs escapes): the lines handleLines takes in place. */
  recordPrefix: Buffer | undefined;
  /** Where rows are inserted now: the stream's table, or its staging copy (sync modes). */
  table: string;
  target: StreamTable;
  plan: TablePlan;
  /** Which metadata columns this loader fills for the stream (those its schema leaves to us). */
  fill: { sequence: boolean; tenant: boolean; extractedAt: boolean; tableVersion: boolean; receivedAt: boolean; batchedAt: boolean };
  keyColumns: string[];
  keyProperties: string[];
  /** Reads a record's values and writes them as a row of `insertColumns`. */
  row: RecordRow;
  /** The INSERT's column list: the schema's columns, then the metadata this loader fills. */
  insertColumns: string[];
  /** The planned columns in `insertColumns`' order (for explaining a refused row). */
  rowColumns: PlannedColumn[];
  /** Told of a record property the schema does not declare (warned about once). */
  onUnknown: (property: string) => void;
  lossy: LossyCounts;
  batch: RowBatch | undefined;
  /** Sealed batches not yet committed, oldest first. */
  pending: RowBatch[];
  chain: Promise<void>;
  received: number;
  inserted: number;
  firstSeq: number;
  lastSeq: number;
  dropped: Set<string>;
};

/** Batches waiting per stream before reading pauses: one inserting, one ready. */
const MAX_PENDING = 2;
const TAB = 0x09;
const NEWLINE = 0x0a;
const NO_BYTES = Buffer.alloc(0);

/**
 * The Singer message loop. RECORDs are appended to a per-stream batch of TabSeparated rows
 * (record-row.ts: values copied from the input line's bytes) and inserted while the next
 * batch fills. A STATE is emitted only when every record received before it is
 * committed, so a crash can repeat rows (deduplicated by key) but never lose them.
 * Properties not declared in the stream's SCHEMA are not loaded (see README.md).
 */
function sameBytes(buf: Buffer, start: number, end: number, expected: Buffer): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (buf[start + i] !== expected[i]) return false;
  return true;
}

export function createLoader(config: TargetConfig, warehouse: Warehouse, out: LoaderOutput) {
  const streams = new Map<string, StreamState>();
  const pendingStates: Array<{ seq: number; value: unknown }> = [];
  // _sdc_sequence orders replays (ReplacingMergeTree keeps the highest): microseconds at
  // start, then +1 a record. Its decimal digits are kept as bytes and counted up in place.
  let sequence = Date.now() * 1000;
  const sequenceDigits = Buffer.from(String(sequence));
  const nextSequence = () => {
    for (let i = sequenceDigits.length - 1; i >= 0; i -= 1) {
      if (sequenceDigits[i] !== 0x39) {
        sequenceDigits[i]! += 1;
        break;
      }
      sequenceDigits[i] = 0x30;
    }
    return (sequence += 1);
  };
  let lastStream: StreamState | undefined;
  let fatal: Error | undefined;
  const tenantText = config.tenant_id ? escapeText(config.tenant_id) : '';
  const clock = createLoadClock(warehouse.features);
  let rejectsTableReady = false;

  // An overwrite not yet swapped in holds back every STATE after its SCHEMA.
  const uncommittedFrom = (s: StreamState) => s.target.holdFrom ?? s.pending[0]?.firstSeq ?? s.batch?.firstSeq;

  function emitReadyStates() {
    let ready: { seq: number; value: unknown } | undefined;
    while (pendingStates.length > 0) {
      const next = pendingStates[0]!;
      const blocked = [...streams.values()].some((s) => {
        const from = uncommittedFrom(s);
        return from !== undefined && from <= next.seq;
      });
      if (blocked) break;
      ready = pendingStates.shift();
    }
    if (ready) out.emitState(ready.value);
  }

  async function commit(stream: StreamState, batch: RowBatch, rows: SealedRows) {
    try {
      await commitOnce(stream, batch, rows);
    } finally {
      batch.release();
    }
  }

  async function commitOnce(stream: StreamState, batch: RowBatch, rows: SealedRows) {
    if (fatal) return;
    try {
      await warehouse.insert(stream.table, batch.columns, rows);
      await insertRejects(batch.rejects);
      stream.inserted += batch.rows;
      stream.pending.shift();
      emitReadyStates();
    } catch (error) {
      const row = error instanceof InsertError ? error.row : undefined;
      if (row !== undefined && row > 1 && row <= batch.rows) {
        // Keep what was valid before the bad row: re-send those rows alone.
        const firstBad = batch.seqOf(row - 1)!;
        await warehouse.insert(stream.table, batch.columns, rows, firstRowsEnd(rows, row - 1)).then(
          async () => {
            await insertRejects(batch.rejects.filter((r) => r.seq < firstBad));
            stream.inserted += row - 1;
            batch.skipRows(row - 1);
          },
          () => undefined,
        );
      }
      const line = row !== undefined ? batch.lineOf(row - 1) : undefined;
      fatal =
        (line !== undefined && explainRow(stream, rowText(rows, row! - 1), line)) ||
        new Error(
          `${line !== undefined ? `line ${line}` : `lines ${batch.lineOf(0)}-${batch.lineOf(batch.rows - 1)}`} (stream "${stream.name}"): ClickHouse refused the record: ${error instanceof Error ? error.message : String(error)}`,
        );
      emitReadyStates();
    }
  }

  /** The rejects of a batch go in right after its rows, before any STATE they cover. */
  async function insertRejects(rejects: RowBatch['rejects']) {
    if (rejects.length === 0) return;
    if (!rejectsTableReady) {
      await warehouse.run(rejectsTableDdl(config.database));
      rejectsTableReady = true;
    }
    const text = Buffer.from(rejects.map((r) => r.line).join(''));
    await warehouse.insertJson(REJECTS_TABLE, { chunks: [text], bytes: text.length });
  }

  function sealAndSend(stream: StreamState) {
    const batch = stream.batch;
    if (!batch || batch.rows === 0) return;
    stream.batch = undefined;
    const rows = batch.seal();
    stream.pending.push(batch);
    stream.chain = stream.chain.then(() => commit(stream, batch, rows));
    batch.done = stream.chain;
  }

  async function settle(stream: StreamState) {
    sealAndSend(stream);
    await stream.chain;
    if (fatal) throw fatal;
  }

  async function settleAll() {
    for (const stream of streams.values()) sealAndSend(stream);
    await Promise.all([...streams.values()].map((s) => s.chain));
    if (fatal) throw fatal;
  }

  const ageTimer = setInterval(() => {
    const now = Date.now();
    for (const stream of streams.values()) if (stream.batch && now - stream.batch.startedAt >= config.batch_max_age_ms) sealAndSend(stream);
  }, Math.min(1000, config.batch_max_age_ms));
  ageTimer.unref();
  const progress = startProgress(config.progress_interval_ms, out.log, () => streams.values());
  const tables = { config, warehouse, log: out.log };

  /** The stream's rows are all in: an overwrite is swapped in, and the STATEs it held go out. */
  async function complete(stream: StreamState) {
    await completeStreamTable(tables, stream.target);
    stream.table = stream.target.loadTable;
    progress.report(stream.name);
  }

  async function handleSchema(message: SchemaMessage, line: number) {
    const previous = streams.get(message.stream);
    if (previous) await settle(previous);
    const properties = (message.schema.properties ?? {}) as Record<string, unknown>;
    const missingKey = message.key_properties.find((k) => !(k in properties));
    if (missingKey) throw new MessageError(line, `key property "${missingKey}" is not in the schema`, message.stream);
    const required = Array.isArray(message.schema.required) ? message.schema.required.filter((r): r is string => typeof r === 'string') : [];
    const { target, plan } = await openStreamTable(tables, { stream: message.stream, table: tableName(config.table_prefix, message.stream), properties, required, keyProperties: message.key_properties, previous: previous?.target, sequence: nextSequence(), line });
    const table = target.loadTable;
    const state: StreamState = previous ?? {
      name: message.stream,
      nameBytes: Buffer.from(message.stream),
      recordPrefix: JSON.stringify(message.stream) === `"${message.stream}"` ? Buffer.from(`{"type":"RECORD","stream":"${message.stream}","record":`) : undefined,
      table,
      target,
      plan,
      fill: { sequence: false, tenant: false, extractedAt: false, tableVersion: false, receivedAt: false, batchedAt: false },
      keyColumns: [],
      keyProperties: [],
      row: recordRow([], { boolWords: false }),
      insertColumns: [],
      rowColumns: [],
      onUnknown: (property) => {
        if (state.dropped.has(property)) return;
        state.dropped.add(property);
        out.log(`WARNING stream "${state.name}": property "${property}" is not in the schema; its values are not loaded`);
      },
      lossy: new LossyCounts(),
      batch: undefined,
      pending: [],
      chain: Promise.resolve(),
      received: 0,
      inserted: 0,
      firstSeq: 0,
      lastSeq: 0,
      dropped: new Set(),
    };
    state.plan = plan;
    state.table = table;
    const m = plan.metadata;
    state.fill = {
      sequence: m.has('_sdc_sequence'),
      tenant: m.has(TENANT_COLUMN),
      extractedAt: m.has('_sdc_extracted_at'),
      tableVersion: m.has('_sdc_table_version'),
      receivedAt: m.has('_sdc_received_at'),
      batchedAt: m.has('_sdc_batched_at'),
    };
    state.keyProperties = message.key_properties;
    state.rowColumns = [...plan.columns.values()];
    state.row = recordRow(state.rowColumns, { boolWords: warehouse.features.bool });
    const f = state.fill;
    // The order appendMetadata writes them in: the record's own two, then the tail.
    state.insertColumns = [
      ...state.rowColumns.map((c) => c.name),
      ...(f.extractedAt ? ['_sdc_extracted_at'] : []),
      ...(f.tableVersion ? ['_sdc_table_version'] : []),
      ...(f.tenant ? [TENANT_COLUMN] : []),
      ...(f.receivedAt ? ['_sdc_received_at'] : []),
      ...(f.batchedAt ? ['_sdc_batched_at'] : []),
      ...(f.sequence ? ['_sdc_sequence'] : []),
    ];
    // Every row of this run carries this loader's tenant: its distinct keys are those of the key columns alone.
    state.keyColumns = message.key_properties.map((k) => plan.columns.get(k)!.name);
    streams.set(message.stream, state);
    progress.started(message.stream);
  }

  function streamOf(buf: Buffer, span: Span, escaped: boolean, line: number): StreamState {
    const start = span.start + 1;
    const end = span.end - 1;
    if (lastStream && !escaped && sameBytes(buf, start, end, lastStream.nameBytes)) return lastStream;
    const name = escaped ? (JSON.parse(buf.toString('utf8', span.start, span.end)) as string) : buf.toString('utf8', start, end);
    const stream = streams.get(name);
    if (!stream) throw new MessageError(line, 'RECORD arrived before any SCHEMA for its stream', name);
    lastStream = stream;
    return stream;
  }

  /**
   * The end of every row's metadata: tenant, load times, and the tab before the sequence number,
   * as bytes remade only when the clock moves (each second on 18.16, each millisecond on
   * DateTime64 servers).
   */
  function rowTail(batch: RowBatch, stream: StreamState, plain: boolean): Buffer {
    const fill = stream.fill;
    const received = fill.receivedAt ? clock.received() : '';
    if (batch.tailAt !== received) {
      batch.tailAt = received;
      batch.tail = undefined;
      batch.plainTail = undefined;
    }
    const made = plain ? batch.plainTail : batch.tail;
    if (made !== undefined) return made;
    // A message without time_extracted or version (`plain`): their NULLs are part of the tail too.
    const fields = [
      ...(plain && fill.extractedAt ? ['\\N'] : []),
      ...(plain && fill.tableVersion ? ['\\N'] : []),
      ...(fill.tenant ? [tenantText] : []),
      ...(fill.receivedAt ? [received] : []),
      ...(fill.batchedAt ? [batch.batchedAt] : []),
    ];
    let separate = stream.row.count > 0 || (!plain && (fill.extractedAt || fill.tableVersion));
    let text = '';
    for (const field of fields) {
      text += separate ? `\t${field}` : field;
      separate = true;
    }
    const tail = Buffer.from(fill.sequence && separate ? `${text}\t` : text);
    if (plain) batch.plainTail = tail;
    else batch.tail = tail;
    return tail;
  }

  /** A metadata value the message carries (time_extracted, version) as a field: its text, or NULL. */
  function messageField(batch: RowBatch, buf: Buffer, span: Span | undefined) {
    if (span === undefined) writeBytes(batch, NULL_FIELD, 0, 2);
    else writeJsonField(batch, buf, span.start, span.end);
  }

  /** The metadata we add to every row, after the record's values, ending the line. */
  function appendMetadata(batch: RowBatch, stream: StreamState, buf: Buffer, scan: ScannedMessage) {
    const fill = stream.fill;
    const plain = scan.timeExtracted === undefined && scan.version === undefined;
    if (!plain) {
      let separate = stream.row.count > 0;
      if (fill.extractedAt) {
        if (separate) writeByte(batch, TAB);
        messageField(batch, buf, scan.timeExtracted);
        separate = true;
      }
      if (fill.tableVersion) {
        if (separate) writeByte(batch, TAB);
        messageField(batch, buf, scan.version);
      }
    }
    // The rest in one go: the same bytes row after row, then the sequence number.
    const tail = rowTail(batch, stream, plain);
    const digits = fill.sequence ? sequenceDigits : NO_BYTES;
    const target = batch.room(tail.length + digits.length + 1);
    let at = batch.at;
    // A whole buffer: one native copy beats a loop of ~80 bytes.
    target.set(tail, at);
    at += tail.length;
    for (let i = 0; i < digits.length; i += 1) target[at++] = digits[i]!;
    target[at++] = NEWLINE;
    batch.wrote(at);
  }

  /** Our own reason for a row ClickHouse refused, naming the property, when we can find it. */
  function explainRow(stream: StreamState, text: string, line: number): Error | undefined {
    const misfit = refusedField(stream.rowColumns, text);
    return misfit && new MessageError(line, `property "${misfit.column.source}" has ${misfit.problem}`, stream.name);
  }

  function newBatch(stream: StreamState): RowBatch {
    const batch = new RowBatch(stream.insertColumns);
    batch.batchedAt = clock.now();
    batch.batchedAtIso = clock.iso();
    return batch;
  }

  /** Counts what a column's check found and keeps a rejected value's source text for _sluice_rejects. */
  function noteValues(stream: StreamState, batch: RowBatch, buf: Buffer, record: Span, seq: number) {
    stream.row.eachNote((column, verdict, start, end) => {
      stream.lossy.add(column.name, verdict.reason, verdict.reject);
      if (!verdict.reject) return;
      const row = { stream: stream.name, table: stream.target.table, column: column.name, key: keyJson(buf, record, stream.keyProperties), value: buf.toString('utf8', start, end), reason: verdict.reason, seq };
      batch.rejects.push({ seq, line: rejectLine(row, batch.batchedAtIso) });
    });
  }

  function appendRecord(stream: StreamState, buf: Buffer, scan: ScannedMessage, line: number, compact: boolean) {
    const record = scan.record!;
    const batch = (stream.batch ??= newBatch(stream));
    if (!stream.row.append(batch, buf, record, stream.onUnknown)) {
      // The compact scan judged the record's end by the line's tail; the full scan knows better.
      const full = compact ? scanMessage(buf) : undefined;
      if (full?.record && buf[full.record.start] === 0x7b) return appendRecord(stream, buf, full, line, false);
      throw new MessageError(line, 'the record is not a well-formed JSON object', stream.name);
    }
    endRecord(stream, batch, buf, scan, line);
  }

  /** After the record's fields: its metadata, its place in the batch, and the batch sent when full. */
  function endRecord(stream: StreamState, batch: RowBatch, buf: Buffer, scan: ScannedMessage, line: number) {
    const record = scan.record!;
    const seq = nextSequence();
    noteValues(stream, batch, buf, record, seq);
    appendMetadata(batch, stream, buf, scan);
    batch.endRow(line, seq);
    if (stream.received === 0) stream.firstSeq = seq;
    stream.received += 1;
    stream.lastSeq = seq;
    if (batch.rows >= config.batch_size_rows || batch.bytes >= config.batch_size_bytes) sealAndSend(stream);
  }

  async function handleOther(buf: Buffer, line: number) {
    const text = buf.toString('utf8');
    if (text.trim() === '') return;
    const message = parseMessage(text, line);
    switch (message.type) {
      case 'SCHEMA':
        await handleSchema(message, line);
        break;
      case 'RECORD': {
        // A RECORD the byte scanner could not place (odd spacing, escapes): go through text.
        const stream = streams.get(message.stream);
        if (!stream) throw new MessageError(line, 'RECORD arrived before any SCHEMA for its stream', message.stream);
        const normalized = Buffer.from(JSON.stringify(message));
        appendRecord(stream, normalized, scanMessage(normalized)!, line, false);
        break;
      }
      case 'STATE':
        pendingStates.push({ seq: sequence, value: message.value });
        emitReadyStates();
        break;
      case 'ACTIVATE_VERSION': {
        const stream = streams.get(message.stream);
        if (!stream) throw new MessageError(line, 'ACTIVATE_VERSION arrived before any SCHEMA for its stream', message.stream);
        await settle(stream);
        if (stream.target.mode === 'overwrite' && stream.received > 0) await complete(stream);
        else if (dropsOlderVersions(config.stream_modes, stream.name, stream.target.mode) && stream.plan.metadata.has('_sdc_table_version')) await warehouse.deleteOlderVersions(stream.table, message.version);
        emitReadyStates();
        break;
      }
    }
  }

  async function waitForRoom(stream: StreamState) {
    while (stream.pending.length > MAX_PENDING && !fatal) await stream.pending[0]!.done;
    if (fatal) throw fatal;
  }

  const taken: Consumed = { at: 0, lines: 0 };
  const plainScan: ScannedMessage & { record: Span } = { record: { start: 0, end: 0 }, escapedStream: false };

  return {
    /** Input was just read: the rows made from it were received now (`_sdc_received_at`). */
    inputRead: clock.read,
    /**
     * Takes in place the lines from `start` that are RECORDs of the stream the last record
     * was of, laid out as taps print them without time_extracted or version (our PostgreSQL
     * source's): no buffer per line, no scan of the message. Stops at any other line (which
     * then goes to handleLine), when the stream's batches are waiting for ClickHouse, or after
     * an error.
     */
    handleLines(chunk: Buffer, start: number, end: number, line: number): Consumed {
      taken.at = start;
      taken.lines = 0;
      const stream = lastStream;
      const prefix = stream?.recordPrefix;
      if (!stream || !prefix || fatal) return taken;
      const length = prefix.length;
      let at = start;
      while (stream.pending.length <= MAX_PENDING) {
        const newline = chunk.indexOf(NEWLINE, at);
        if (newline < 0 || newline >= end || newline - at < length + 3) break;
        let k = 0;
        while (k < length && chunk[at + k] === prefix[k]) k += 1;
        // The record object, then the message's closing brace, end the line.
        if (k < length || chunk[at + length] !== 0x7b || chunk[newline - 1] !== 0x7d || chunk[newline - 2] !== 0x7d) break;
        plainScan.record.start = at + length;
        plainScan.record.end = newline - 1;
        const batch = (stream.batch ??= newBatch(stream));
        // Anything the row writer does not take (another field after the record, say) is handleLine's.
        if (!stream.row.append(batch, chunk, plainScan.record, stream.onUnknown)) break;
        endRecord(stream, batch, chunk, plainScan, line + taken.lines);
        taken.lines += 1;
        at = newline + 1;
        taken.at = at;
      }
      return taken;
    },
    /** Handles one input line; returns a promise only when the line needs waiting for. */
    handleLine(buf: Buffer, line: number): void | Promise<void> {
      if (fatal) throw fatal;
      const compact = scanCompactRecord(buf);
      const scan = compact ?? scanMessage(buf);
      if (scan && scan.record && scan.stream && isRecordType(buf, scan.type) && buf[scan.record.start] === 0x7b) {
        const stream = streamOf(buf, scan.stream, scan.escapedStream, line);
        appendRecord(stream, buf, scan, line, compact !== undefined);
        if (stream.pending.length > MAX_PENDING) return waitForRoom(stream);
        return;
      }
      return handleOther(buf, line);
    },
    /** Commits everything buffered and emits the last state. */
    async finish() {
      await settleAll();
      for (const stream of streams.values()) await complete(stream);
      emitReadyStates();
    },
    /** After an error: commits the rows received before it; emits only states they cover. */
    async commitValidRows() {
      for (const stream of streams.values()) sealAndSend(stream);
      await Promise.all([...streams.values()].map((s) => s.chain));
      progress.report();
      emitReadyStates();
    },
    /** After a failure: drops the staging copies of overwrite streams not swapped in (the old tables stay). */
    async discardUnswapped() {
      for (const stream of streams.values()) await discardStreamTable(tables, stream.target);
    },
    /** Per stream: records received, rows inserted, rows of this run in the table and their distinct keys. */
    async reconcile(): Promise<StreamCounts[]> {
      const counts: StreamCounts[] = [];
      for (const s of streams.values()) {
        if (s.received === 0 || !s.plan.metadata.has('_sdc_sequence')) {
          counts.push({ stream: s.name, table: s.table, received: s.received, inserted: s.inserted, inTable: s.inserted, distinctKeys: undefined, ok: s.received === s.inserted, lossy: s.lossy.list() });
          continue;
        }
        const found = await warehouse.countRun(s.table, s.firstSeq, s.lastSeq, s.keyColumns, s.fill.tenant ? config.tenant_id : undefined);
        // Keyed tables may have merged away replayed duplicates already; never below the distinct keys.
        const ok = s.received === s.inserted && (s.keyColumns.length > 0 ? found.rows >= (found.distinctKeys ?? 0) && found.rows <= s.inserted : found.rows === s.inserted);
        counts.push({ stream: s.name, table: s.table, received: s.received, inserted: s.inserted, inTable: found.rows, distinctKeys: found.distinctKeys, ok, lossy: s.lossy.list() });
      }
      return counts;
    },
    stop: () => {
      clearInterval(ageTimer);
      progress.stop();
    },
  };
}
