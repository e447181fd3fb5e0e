import { describe, expect, it } from 'vitest';
import { recordFramer, unescapeCopyField } from './copy-lines.js';

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
  it('frames each row as a RECORD line, the stream name JSON-escaped', () => {
    const framer = recordFramer('s-"t"', false);
    // COPY doubles the backslash of the JSON escape \\ (a\b).
    const out = framer.push(Buffer.from('{"id":1}\n{"id":2,"t":"a\\\\\\\\b"}\n')).toString();
    expect(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'RECORD', stream: 's-"t"', record: { id: 1 } },
      { type: 'RECORD', stream: 's-"t"', record: { id: 2, t: 'a\\b' } },
    ]);
    expect(framer.rows).toBe(2);
  });

  it('carries a row split across chunks, and complains about one never finished', () => {
    const framer = recordFramer('s', false);
    expect(framer.push(Buffer.from('{"id":1}\n{"id"')).toString()).toBe('{"type":"RECORD","stream":"s","record":{"id":1}}\n');
    expect(framer.push(Buffer.from(':2}\n')).toString()).toBe('{"type":"RECORD","stream":"s","record":{"id":2}}\n');
    framer.finish();
    framer.push(Buffer.from('{"id":3'));
    expect(() => framer.finish()).toThrow(/middle of a row/);
  });

  it('keeps the key of the last row for the bookmark, skipping NULL keys', () => {
    const framer = recordFramer('s', true);
    framer.push(Buffer.from('{"k":"2024-01-01"}\t"2024-01-01"\n{"k":5}\t5\n'));
    expect(framer.lastKey).toBe('5');
    const out = framer.push(Buffer.from('{"k":null}\tnull\n'));
    expect(out.toString()).toBe('{"type":"RECORD","stream":"s","record":{"k":null}}\n');
    expect(framer.lastKey).toBe('5');
  });

  it('splits the key column off at the raw tab only (JSON from PostgreSQL has no raw tabs; its \\t escapes reach COPY as \\\\t)', () => {
    const framer = recordFramer('s', true);
    const out = framer.push(Buffer.from('{"t":"a\\\\tb"}\t"x\\\\ty"\n')).toString();
    expect(JSON.parse(out)).toEqual({ type: 'RECORD', stream: 's', record: { t: 'a\tb' } });
    expect(framer.lastKey).toBe('"x\\ty"');
  });
});
