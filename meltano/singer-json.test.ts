import { describe, expect, it } from 'vitest';
import { parseSingerLine } from './singer-json.js';

describe('parseSingerLine', () => {
  it('reads bare NaN and infinities as their names, and leaves strings alone', () => {
    expect(parseSingerLine('{"type":"RECORD","record":{"a":NaN,"b":-Infinity,"c":[Infinity,1],"d":"NaN \\" Infinity"}}')).toEqual({
      type: 'RECORD', record: { a: 'NaN', b: '-Infinity', c: ['Infinity', 1], d: 'NaN " Infinity' },
    });
    expect(parseSingerLine('{"a":1}')).toEqual({ a: 1 });
    expect(parseSingerLine('not json')).toBeUndefined();
    expect(parseSingerLine('{"a":Nope}')).toBeUndefined();
  });
});
