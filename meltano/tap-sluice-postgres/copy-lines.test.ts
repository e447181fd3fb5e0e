import { describe, expect, it } from 'vitest';
import { recordFramer, unescapeCopyField } from './copy-lines.js';

const text = (blocks: Buffer[]) => Buffer.concat(blocks).toString('utf8');
const field = (text: string) => unescapeCopyField(Buffer.from(text), 0, Buffer.byteLength(text)).toString('utf8');

describe('unescapeCopyField', () => {
  it('leaves a field without backslashes as it is', () => {
    expect(field('{"a":1,"b":"é"}')).toBe('{"a":1,"b":"é"}');
  });
  it("undoes COPY's escapes", () => {
    expect(field('a\\\\b')).toBe('a\\b');
    expect(field('a\\tb\\nc\\rd\\be\\ff\\vg')).toBe('a\tb\nc\rd\be\ff\vg');
    expect(field('\\101\\x42')).toBe('AB');
    expect(field('{"q":"say \\\\"hi\\\\""}')).toBe('{"q":"say \\"hi\\""}');
  });
  it('reads only its own range', () => {
    const buf = Buffer.from('xx\\\\yy\tzz');
    expect(unescapeCopyField(buf, 2, 6).toString()).toBe('\\yy');
  });
});

describe('recordFramer', () => {
  const raw = (name: string) => ({ name, encoding: 'raw' as const });

  it('frames each row as a RECORD line, the stream and column names JSON-escaped', () => {
    const framer = recordFramer('s-"t"', [raw('id'), { name: 'a "b"', encoding: 'string' }, { name: 'ok', encoding: 'bool' }], false);
    framer.push(Buffer.from('1\ta\\\\b "q"\tt\n2\t\\N\tf\n'));
    const out = text(framer.take(true));
    expect(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'RECORD', stream: 's-"t"', record: { id: 1, 'a "b"': 'a\\b "q"', ok: true } },
      { type: 'RECORD', stream: 's-"t"', record: { id: 2, 'a "b"': null, ok: false } },
    ]);
    expect(framer.rows).toBe(2);
  });

  it('carries a row split across chunks, and complains about one never finished or short of columns', () => {
    const framer = recordFramer('s', [raw('id'), raw('n')], false);
    framer.push(Buffer.from('1\t10\n2\t'));
    expect(text(framer.take(true))).toBe('{"type":"RECORD","stream":"s","record":{"id":1,"n":10}}\n');
    framer.push(Buffer.from('20\n'));
    expect(text(framer.take(true))).toBe('{"type":"RECORD","stream":"s","record":{"id":2,"n":20}}\n');
    framer.finish();
    expect(() => framer.push(Buffer.from('3\n'))).toThrow(/without its 2 columns/);
    const unfinished = recordFramer('s', [raw('id')], false);
    unfinished.push(Buffer.from('3'));
    expect(() => unfinished.finish()).toThrow(/middle of a row/);
  });

  it('writes {} for a row of no columns', () => {
    const framer = recordFramer('s', [], false);
    framer.push(Buffer.from('\n\n'));
    expect(text(framer.take(true))).toBe('{"type":"RECORD","stream":"s","record":{}}\n'.repeat(2));
  });

  it('keeps the key of the last row for the bookmark, skipping NULL keys', () => {
    const framer = recordFramer('s', [{ name: 'k', encoding: 'string' }], true);
    framer.push(Buffer.from('2024-01-01\t"2024-01-01"\nb\t"b"\n'));
    expect(framer.lastKey).toBe('"b"');
    framer.take(true);
    framer.push(Buffer.from('\\N\tnull\n'));
    expect(text(framer.take(true))).toBe('{"type":"RECORD","stream":"s","record":{"k":null}}\n');
    expect(framer.lastKey).toBe('"b"');
  });

  it('splits fields at raw tabs only (a tab in a value reaches COPY as \\t)', () => {
    const framer = recordFramer('s', [{ name: 't', encoding: 'string' }], true);
    framer.push(Buffer.from('a\\tb\t"x\\\\ty"\n'));
    const out = text(framer.take(true));
    expect(JSON.parse(out)).toEqual({ type: 'RECORD', stream: 's', record: { t: 'a\tb' } });
    expect(framer.lastKey).toBe('"x\\ty"');
  });

  it('hands out full blocks as they fill, never splitting a line, and the rest on request', () => {
    const framer = recordFramer('s', [{ name: 'v', encoding: 'string' }], false);
    const row = 'x'.repeat(1000);
    let framed = '';
    for (let i = 0; i < 600; i += 1) {
      framer.push(Buffer.from(`${row}\n`));
      if (framer.readyBytes > 0) framed += text(framer.take());
    }
    expect(framed.length).toBeGreaterThan(0);
    expect(framed.endsWith('}\n')).toBe(true);
    framed += text(framer.take(true));
    expect(framed.split('\n').filter(Boolean)).toHaveLength(600);
    expect(framer.take(true)).toEqual([]);
  });

  it('frames a row larger than a block whole', () => {
    const framer = recordFramer('s', [{ name: 'v', encoding: 'string' }], false);
    framer.push(Buffer.from(`a\n${'y'.repeat(600_000)}\nb\n`));
    const lines = text(framer.take(true)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { record: unknown });
    expect(lines.map((l) => l.record)).toEqual([{ v: 'a' }, { v: 'y'.repeat(600_000) }, { v: 'b' }]);
  });
});
