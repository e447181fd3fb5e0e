import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forEachLine } from './line-reader.js';
import { firstRows, RowBatch, rowText } from './row-batch.js';

describe('RowBatch', () => {
  it('keeps rows as chunks and can give back the first rows or one row', () => {
    const batch = new RowBatch();
    const big = 'x'.repeat(3 << 20); // larger than a chunk
    batch.text('{"a":1}\n');
    batch.ascii(`{"b":"${big}"}\n`);
    batch.copy(Buffer.from('..{"c":3}\n..'), 2, 10);
    for (const [line, seq] of [[1, 10], [2, 11], [3, 12]]) batch.endRow(line!, seq!);
    const chunks = batch.seal();
    expect(batch.rows).toBe(3);
    expect(Buffer.concat(chunks).toString()).toBe(`{"a":1}\n{"b":"${big}"}\n{"c":3}\n`);
    expect(Buffer.concat(firstRows(chunks, 1)).toString()).toBe('{"a":1}\n');
    expect(rowText(chunks, 2)).toBe('{"c":3}');
    expect(rowText(chunks, 0)).toBe('{"a":1}');
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
});
