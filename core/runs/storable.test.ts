import { describe, expect, it } from 'vitest';
import { storable, storableText } from './storable.js';

describe('storable', () => {
  it('replaces NUL and lone surrogates, keeps pairs', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(storableText('ok 😀')).toBe('ok 😀');
  });

  it('cleans keys and nested values, keeps dates and numbers', () => {
    const at = new Date();
    expect(storable({ finishedAt: at, recordCounts: { 'bad\u0000stream': 3 }, result: { rows: [{ v: '\uD83D' }] } })).toEqual({
      finishedAt: at,
      recordCounts: { 'bad\uFFFDstream': 3 },
      result: { rows: [{ v: '\uFFFD' }] },
    });
  });
});
