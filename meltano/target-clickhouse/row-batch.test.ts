import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { forEachLine } from './line-reader.js';
import { firstRowsEnd, RowBatch, rowsStream, rowText, type SealedRows } from './row-batch.js';
import { writeBytes } from './tsv-text.js';

const text = (rows: SealedRows, end?: number) =>
  new Promise<string>((resolve, reject) => {
    const parts: Buffer[] = [];
    rowsStream(rows, end)
      .on('data', (chunk: Buffer) => parts.push(Buffer.from(chunk)))
      .once('end', () => resolve(Buffer.concat(parts).toString()))
      .once('error', reject);
  });

describe('RowBatch', () => {
  it('keeps a small batch in memory and gives back the first rows or one row', async () => {
    const batch = new RowBatch([]);
    batch.text('{"a":1}\n');
    writeBytes(batch, Buffer.from('..{"c":3}\n..'), 2, 10);
    for (const [line, seq] of [[1, 10], [2, 11]]) batch.endRow(line!, seq!);
    const rows = batch.seal();
    expect(rows.file).toBeUndefined();
    expect(await text(rows)).toBe('{"a":1}\n{"c":3}\n');
    expect(await text(rows, firstRowsEnd(rows, 1))).toBe('{"a":1}\n');
    expect(rowText(rows, 1)).toBe('{"c":3}');
    batch.release();
  });

  it('moves a batch larger than its chunk to an unlinked file, and reads it back as often as asked', async () => {
    const batch = new RowBatch([]);
    const big = 'x'.repeat(3 << 20); // larger than a chunk
    batch.text('{"a":1}\n');
    batch.text(`{"b":"${big}"}\n`);
    for (let i = 0; i < 20_000; i += 1) batch.text(`{"n":${i}}\n`);
    for (let i = 0; i < 20_002; i += 1) batch.endRow(100 + i, 5000 + i);
    const rows = batch.seal();
    expect(rows.file).toBeTypeOf('number');
    expect(readlinkSync(`/proc/self/fd/${rows.file}`)).toMatch(/\(deleted\)$/);
    const all = await text(rows);
    expect(all).toBe(`{"a":1}\n{"b":"${big}"}\n${Array.from({ length: 20_000 }, (_, i) => `{"n":${i}}\n`).join('')}`);
    expect(await text(rows)).toBe(all);
    expect(await text(rows, firstRowsEnd(rows, 2))).toBe(`{"a":1}\n{"b":"${big}"}\n`);
    expect(rowText(rows, 20_001)).toBe('{"n":19999}');
    expect(rowText(rows, 0)).toBe('{"a":1}');
    expect([batch.lineOf(20_001), batch.seqOf(0), batch.firstSeq]).toEqual([20_101, 5000, 5000]);
    batch.skipRows(2);
    expect(batch.firstSeq).toBe(5002);
    batch.release();
  });

  it('sends a file batch through a slow HTTP reader byte for byte, though it reuses its read buffers', async () => {
    const batch = new RowBatch([]);
    // Rows that differ all the way through, so a buffer overwritten too early shows.
    for (let i = 0; i < 120_000; i += 1) batch.text(`${i}\t${createHash('sha1').update(String(i)).digest('hex')}\t${'z'.repeat(i % 97)}\n`);
    for (let i = 0; i < 120_000; i += 1) batch.endRow(i + 1, i + 1);
    const rows = batch.seal();
    expect(rows.file).toBeTypeOf('number');
    const expected = createHash('sha256').update(await text(rows)).digest('hex');
    // The server reads in small bites with pauses, so the request waits for 'drain' again and again.
    const server = createServer((req, res) => {
      const hash = createHash('sha256');
      let reads = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        if ((reads += 1) % 16 === 0) {
          req.pause();
          setTimeout(() => req.resume(), 2);
        }
      });
      req.on('end', () => res.end(hash.digest('hex')));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const answer = new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(body));
          });
          req.on('error', reject);
          pipeline(rowsStream(rows), req).catch(reject);
        });
        expect(await answer).toBe(expected);
        await sleep(1);
      }
    } finally {
      server.close();
      batch.release();
    }
  });

  it('keeps lines and sequence numbers of interleaved streams apart', () => {
    const batch = new RowBatch([]);
    for (const [line, seq] of [[1, 1], [2, 2], [4, 5], [5, 6], [9, 7]]) batch.endRow(line!, seq!);
    expect([0, 1, 2, 3, 4, 5].map((r) => batch.lineOf(r))).toEqual([1, 2, 4, 5, 9, undefined]);
    expect([0, 1, 2, 3, 4].map((r) => batch.seqOf(r))).toEqual([1, 2, 5, 6, 7]);
  });
});

describe('forEachLine', () => {
  it('splits lines across chunks, keeps long lines whole and reads a last line without newline', async () => {
    const long = 'y'.repeat(5_000_000);
    const input = Readable.from([Buffer.from('one\ntw'), Buffer.from(`o\n${long.slice(0, 10)}`), Buffer.from(`${long.slice(10)}\n\nlast`)]);
    const lines: string[] = [];
    const count = await forEachLine(input, (line) => void lines.push(line.toString()));
    expect(count).toBe(5);
    expect(lines.map((l) => (l.length > 20 ? `${l.length}` : l))).toEqual(['one', 'two', '5000000', '', 'last']);
  });

  it('waits for a handler that returns a promise before the next line', async () => {
    const order: string[] = [];
    await forEachLine(Readable.from([Buffer.from('a\nb\n')]), (line) => {
      order.push(`start ${line}`);
      if (line.toString() === 'a') return new Promise((r) => setTimeout(() => (order.push('a done'), r()), 20));
    });
    expect(order).toEqual(['start a', 'a done', 'start b']);
  });

  it('offers each chunk to the in-place handler first and gives every line it leaves to onLine, each once and in order', async () => {
    const text = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? `other ${i}` : `fast ${i}`)).join('\n');
    for (const size of [1, 5, 13, 64, 4096]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < text.length; at += size) chunks.push(Buffer.from(text.slice(at, at + size)));
      const seen: string[] = [];
      // Takes lines that start with "fast", up to three at a time, and stops at anything else.
      const onLines = (chunk: Buffer, start: number, end: number, line: number) => {
        let at = start;
        let lines = 0;
        while (lines < 3) {
          const newline = chunk.indexOf(10, at);
          if (newline < 0 || newline >= end || chunk.toString('latin1', at, at + 4) !== 'fast') break;
          seen.push(`${line + lines}: ${chunk.toString('latin1', at, newline)} (in place)`);
          lines += 1;
          at = newline + 1;
        }
        return { at, lines };
      };
      const count = await forEachLine(Readable.from(chunks), (line, number) => void seen.push(`${number}: ${line.toString()}`), onLines);
      expect(count).toBe(300);
      expect(seen.map((l) => l.replace(' (in place)', ''))).toEqual(text.split('\n').map((l, i) => `${i + 1}: ${l}`));
      // Lines whole within one chunk are taken in place when the chunks are large enough.
      if (size >= 64) expect(seen.filter((l) => l.endsWith('(in place)')).length).toBeGreaterThan(50);
    }
  });

  it('after the in-place handler takes nothing, leaves it alone for 64 lines (input it never takes costs it little)', async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    let offers = 0;
    const seen: number[] = [];
    const count = await forEachLine(Readable.from([Buffer.from(text)]), (_, number) => void seen.push(number), (_chunk, start, _end, _line) => {
      offers += 1;
      return { at: start, lines: 0 };
    });
    expect(count).toBe(1000);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(offers).toBe(Math.ceil(1000 / 65));
  });
});
