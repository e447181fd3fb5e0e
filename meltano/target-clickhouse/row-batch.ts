import { closeSync, mkdtempSync, openSync, read, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * One batch of TabSeparated rows for one table, with each row's input line and sequence number
 * so an error ClickHouse reports "at row N" can be traced to the Singer line, and the rows
 * before it re-sent alone.
 *
 * Rows are written into one chunk of memory. A batch larger than the chunk moves to a temp
 * file (unlinked as soon as it is opened, so it never outlives the process): a batch of
 * hundreds of thousands of rows — one part in ClickHouse, few merges — costs the loader a
 * megabyte of memory, and a retry re-reads the same bytes from the file.
 */
const CHUNK_BYTES = 1 << 20;

/** Chunks of committed batches, handed to new ones: a long load reuses its memory instead of leaving garbage. */
const spare: Buffer[] = [];
const SPARE_MAX = 8;

/** A sealed batch's rows: in memory, or in its temp file. */
export type SealedRows = { chunks: Buffer[]; file?: undefined; bytes: number } | { chunks?: undefined; file: number; bytes: number };

/** A temp file no one else can open: made in a private folder, then unlinked at once. */
function anonymousFile(): number {
  const folder = mkdtempSync(path.join(tmpdir(), 'target-clickhouse-'));
  const name = path.join(folder, 'rows');
  const fd = openSync(name, 'w+', 0o600);
  unlinkSync(name);
  rmdirSync(folder);
  return fd;
}

/** Row numbers, lines and sequence numbers as runs (a run: consecutive rows whose line and seq both go up by one). */
class RowIndex {
  private readonly runRow: number[] = [];
  private readonly runLine: number[] = [];
  private readonly runSeq: number[] = [];
  private count = 0;
  /** Rows already committed on their own (see skip). */
  private skipped = 0;

  add(line: number, seq: number) {
    const last = this.runRow.length - 1;
    const fits = last >= 0 && this.runLine[last]! + (this.count - this.runRow[last]!) === line && this.runSeq[last]! + (this.count - this.runRow[last]!) === seq;
    if (!fits) {
      this.runRow.push(this.count);
      this.runLine.push(line);
      this.runSeq.push(seq);
    }
    this.count += 1;
  }

  get rows() {
    return this.count;
  }

  private find(row: number): number {
    let lo = 0;
    let hi = this.runRow.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runRow[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The input line of row `row` (0-based), or undefined past the end. */
  line(row: number): number | undefined {
    if (row < 0 || row >= this.count) return undefined;
    const run = this.find(row);
    return this.runLine[run]! + (row - this.runRow[run]!);
  }

  seq(row: number): number | undefined {
    if (row < 0 || row >= this.count) return undefined;
    const run = this.find(row);
    return this.runSeq[run]! + (row - this.runRow[run]!);
  }

  /** The first row not yet committed on its own. */
  get firstSeq(): number | undefined {
    return this.seq(this.skipped);
  }

  /** The first `rows` rows are committed (re-sent alone before a bad row). */
  skip(rows: number) {
    this.skipped += rows;
  }
}

export class RowBatch {
  /** `columns`: the columns each row has, in order (the INSERT's column list). */
  constructor(readonly columns: readonly string[]) {}

  private current = spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
  private offset = 0;
  /** In a file: its descriptor, and how many bytes of the batch it holds (the rest are in `current`). */
  private file: number | undefined;
  private fileBytes = 0;
  private readonly index = new RowIndex();
  bytes = 0;
  readonly startedAt = Date.now();
  /** `_sdc_batched_at` of every row: when the batch was started (as Singer SDK targets do). */
  batchedAt = '';
  /** The same moment as ISO text, for the rejects table. */
  batchedAtIso = '';
  /** The bytes of metadata that end each row (tenant, load times; see the loader's rowTail) and the clock text they were made at. */
  tail: Buffer | undefined;
  /** The same for a message without time_extracted or version: their NULLs lead it. */
  plainTail: Buffer | undefined;
  tailAt = '';
  /** JSONEachRow lines for _sluice_rejects, inserted with this batch. */
  readonly rejects: Array<{ seq: number; line: string }> = [];
  /** Resolved once the batch is committed (or the load has failed). */
  done: Promise<void> = Promise.resolve();

  get rows() {
    return this.index.rows;
  }

  /** The sequence number of the first row not yet committed (undefined when there is none). */
  get firstSeq() {
    return this.index.firstSeq;
  }

  lineOf(row: number) {
    return this.index.line(row);
  }

  seqOf(row: number) {
    return this.index.seq(row);
  }

  /** The first `rows` rows were committed alone; the batch's uncommitted rows start after them. */
  skipRows(rows: number) {
    this.index.skip(rows);
  }

  /** Room for `needed` more bytes at `at` in the buffer returned (see TsvOut). */
  room(needed: number): Buffer {
    if (this.offset + needed > this.current.length) this.makeRoom(needed);
    return this.current;
  }

  get at() {
    return this.offset;
  }

  /** The bytes up to `at` are written. */
  wrote(at: number) {
    this.bytes += at - this.offset;
    this.offset = at;
  }

  private makeRoom(needed: number) {
    if (this.offset > 0) this.spill();
    // One value larger than a chunk: a buffer of its own, which goes to the file like the rest.
    if (needed > this.current.length) this.current = Buffer.allocUnsafe(needed);
  }

  /** Moves the bytes of `current` out of the way: to the file once the batch outgrows one chunk. */
  private spill() {
    this.file ??= anonymousFile();
    let written = 0;
    while (written < this.offset) written += writeSync(this.file, this.current, written, this.offset - written, this.fileBytes + written);
    this.fileBytes += this.offset;
    this.offset = 0;
  }

  /** Text as UTF-8 bytes (tests, and rows made as text). */
  text(value: string) {
    const length = Buffer.byteLength(value);
    const target = this.room(length);
    target.write(value, this.offset, 'utf8');
    this.wrote(this.offset + length);
  }

  endRow(line: number, seq: number) {
    this.index.add(line, seq);
  }

  /** Closes the batch for writing and says where its bytes are. */
  seal(): SealedRows {
    if (this.file !== undefined) {
      if (this.offset > 0) this.spill();
      return { file: this.file, bytes: this.fileBytes };
    }
    return { chunks: [this.current.subarray(0, this.offset)], bytes: this.bytes };
  }

  /** Once the batch is committed (or given up): its memory may be reused and its file goes. */
  release() {
    if (this.current.length === CHUNK_BYTES && spare.length < SPARE_MAX) spare.push(this.current);
    this.current = Buffer.alloc(0);
    if (this.file !== undefined) closeSync(this.file);
    this.file = undefined;
  }
}

/** The sealed rows' bytes from `start` to `end`, piece by piece (a file is read a megabyte at a time). */
function* pieces(rows: SealedRows, start = 0, end = rows.bytes): Generator<Buffer> {
  if (rows.chunks) {
    let at = 0;
    for (const chunk of rows.chunks) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + chunk.length);
      if (from < to) yield chunk.subarray(from - at, to - at);
      at += chunk.length;
    }
    return;
  }
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, end - start)));
  for (let at = start; at < end; ) {
    const read = readSync(rows.file, buffer, 0, Math.min(buffer.length, end - at), at);
    if (read === 0) return;
    yield buffer.subarray(0, read);
    at += read;
  }
}

/** A file is sent in pieces this large, read in turn into RING buffers. */
const SEND_PIECE_BYTES = 256 * 1024;
const RING = 4;

/**
 * A fresh stream of the rows' bytes up to `end` (each retry reads them again).
 *
 * A file is read into a ring of four buffers reused in turn, for one reader that respects
 * backpressure (the INSERT's request, through stream.pipeline). A file stream makes a new
 * megabyte for every read instead, and while the loader only waits for an INSERT nothing
 * else allocates, so no GC frees them: the last batch of a load piled up ~30 MB of them
 * (BENCHMARKS.md). Reuse is safe because a piece is read only when the reader asks for one:
 * the request takes a piece, and once a write leaves more than 16 KB queued it asks for no
 * more until 'drain', which comes when every queued write has reached the kernel. So at most
 * three pieces are held at once (the rest of an earlier write, the one queued, one read
 * ahead), and the fourth buffer is free. A reader that keeps pieces must copy them.
 */
export function rowsStream(rows: SealedRows, end = rows.bytes): Readable {
  if (rows.chunks) return Readable.from([...pieces(rows, 0, end)], { objectMode: false });
  const fd = rows.file;
  const ring = Array.from({ length: RING }, () => Buffer.allocUnsafe(Math.min(SEND_PIECE_BYTES, Math.max(1, end))));
  let at = 0;
  let turn = 0;
  return new Readable({
    highWaterMark: 0,
    read() {
      if (at >= end) {
        this.push(null);
        return;
      }
      const buffer = ring[turn]!;
      turn = (turn + 1) % RING;
      read(fd, buffer, 0, Math.min(buffer.length, end - at), at, (error, bytes) => {
        if (error) this.destroy(error);
        else if (bytes === 0) this.push(null);
        else {
          at += bytes;
          this.push(buffer.subarray(0, bytes));
        }
      });
    },
  });
}

/** Byte offsets where the `wanted` rows (0-based) start, found by counting newlines. */
function rowStarts(rows: SealedRows, wanted: number[]): Map<number, number> {
  const found = new Map<number, number>();
  if (wanted.includes(0)) found.set(0, 0);
  let row = 0;
  let at = 0;
  const last = Math.max(...wanted);
  for (const piece of pieces(rows)) {
    let newline = piece.indexOf(10);
    while (newline !== -1 && row < last) {
      row += 1;
      if (wanted.includes(row)) found.set(row, at + newline + 1);
      newline = piece.indexOf(10, newline + 1);
    }
    if (row >= last) break;
    at += piece.length;
  }
  return found;
}

/** The bytes of the first `count` rows (rows end with a newline). */
export function firstRowsEnd(rows: SealedRows, count: number): number {
  return rowStarts(rows, [count]).get(count) ?? rows.bytes;
}

/** The text of row `index` (0-based), for explaining an error. */
export function rowText(rows: SealedRows, index: number): string {
  const starts = rowStarts(rows, [index, index + 1]);
  const start = starts.get(index) ?? rows.bytes;
  const end = starts.get(index + 1) ?? rows.bytes;
  return Buffer.concat([...pieces(rows, start, end)].map((p) => Buffer.from(p)))
    .toString('utf8')
    .replace(/\n$/, '');
}
