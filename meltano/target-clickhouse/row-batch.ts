/**
 * One batch of JSONEachRow rows for one table, kept as large byte chunks (no per-row
 * strings), with each row's input line and sequence number so an error ClickHouse reports
 * "at row N" can be traced to the Singer line, and the rows before it re-sent alone.
 */
const CHUNK_BYTES = 1 << 20;

export class RowBatch {
  readonly chunks: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  private offset = 0;
  readonly lines: number[] = [];
  readonly seqs: number[] = [];
  bytes = 0;
  readonly startedAt = Date.now();
  /** `_sdc_batched_at` of every row: when the batch was started (as Singer SDK targets do). */
  batchedAt = '';
  /** The same moment as ISO text, for the rejects table. */
  batchedAtIso = '';
  /** The bytes that end each row (load times, closing brace) and the clock text they were made at. */
  tail: Buffer | undefined;
  tailAt = '';
  /** JSONEachRow lines for _sluice_rejects, inserted with this batch. */
  readonly rejects: Array<{ seq: number; line: string }> = [];
  /** Resolved once the batch is committed (or the load has failed). */
  done: Promise<void> = Promise.resolve();

  get rows() {
    return this.lines.length;
  }

  private room(needed: number) {
    if (this.offset + needed <= this.current.length) return;
    if (this.offset > 0) this.chunks.push(this.current.subarray(0, this.offset));
    this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, needed));
    this.offset = 0;
  }

  copy(source: Buffer, start: number, end: number) {
    const length = end - start;
    this.room(length);
    // Short pieces: a JS loop is cheaper than a call into native code.
    if (length < 64) {
      const target = this.current;
      let at = this.offset;
      for (let i = start; i < end; i += 1) target[at++] = source[i]!;
    } else {
      source.copy(this.current, this.offset, start, end);
    }
    this.offset += length;
    this.bytes += length;
  }

  /** Makes room for `length` more bytes, so the `put` calls that follow need not check. */
  reserve(length: number) {
    this.room(length);
  }

  /** Copies bytes into room made by `reserve`: short pieces of a row, byte by byte. */
  put(source: Buffer, start: number, end: number) {
    const target = this.current;
    let at = this.offset;
    for (let i = start; i < end; i += 1) target[at++] = source[i]!;
    this.bytes += at - this.offset;
    this.offset = at;
  }

  /** Copies a whole small buffer into room made by `reserve`. */
  putAll(source: Buffer) {
    this.current.set(source, this.offset);
    this.offset += source.length;
    this.bytes += source.length;
  }

  text(value: string) {
    this.room(Buffer.byteLength(value));
    const written = this.current.write(value, this.offset, 'utf8');
    this.offset += written;
    this.bytes += written;
  }

  /** For text known to be ASCII (our own metadata): no UTF-8 encoding pass. */
  ascii(value: string) {
    const length = value.length;
    this.room(length);
    const target = this.current;
    let at = this.offset;
    for (let i = 0; i < length; i += 1) target[at++] = value.charCodeAt(i);
    this.offset = at;
    this.bytes += length;
  }

  endRow(line: number, seq: number) {
    this.lines.push(line);
    this.seqs.push(seq);
  }

  private mark = { chunks: 0, current: this.current, offset: 0, bytes: 0 };

  /** Remembers where the row being written starts, so a row that turns out bad can be taken back. */
  startRow() {
    this.mark = { chunks: this.chunks.length, current: this.current, offset: this.offset, bytes: this.bytes };
  }

  /** Forgets everything written since startRow(). */
  dropRow() {
    this.chunks.length = this.mark.chunks;
    this.current = this.mark.current;
    this.offset = this.mark.offset;
    this.bytes = this.mark.bytes;
  }

  /** Closes the batch for writing and returns its bytes. */
  seal(): Buffer[] {
    if (this.offset > 0) this.chunks.push(this.current.subarray(0, this.offset));
    this.current = Buffer.alloc(0);
    this.offset = 0;
    return this.chunks;
  }
}

/** The bytes of the first `rows` rows of sealed chunks (rows end with a newline). */
export function firstRows(chunks: Buffer[], rows: number): Buffer[] {
  const out: Buffer[] = [];
  let left = rows;
  for (const chunk of chunks) {
    if (left === 0) break;
    let at = 0;
    while (left > 0) {
      const newline = chunk.indexOf(10, at);
      if (newline === -1) break;
      at = newline + 1;
      left -= 1;
    }
    out.push(left === 0 ? chunk.subarray(0, at) : chunk);
  }
  return out;
}

/** The text of row `index` (0-based) of sealed chunks, for explaining an error. */
export function rowText(chunks: Buffer[], index: number): string {
  const all = Buffer.concat(firstRows(chunks, index + 1));
  const start = index === 0 ? 0 : all.lastIndexOf(10, all.length - 2) + 1;
  return all.toString('utf8', start, all.length - 1);
}
