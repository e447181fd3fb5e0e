import { describe, expect, it } from 'vitest';
import { jsonDepth, stateErrors, STATE_MAX_DEPTH } from './state.js';

const nested = (depth: number) => {
  let value: Record<string, unknown> = { value: 1 };
  for (let i = 1; i < depth; i += 1) value = { a: value };
  return value;
};

describe('state limits', () => {
  it('measures depth without recursing (100,000 deep)', () => {
    expect(jsonDepth(nested(3))).toBe(3);
    expect(jsonDepth({ a: [[{}]] })).toBe(4);
    expect(jsonDepth(nested(100_000))).toBe(STATE_MAX_DEPTH + 1);
  });

  it('refuses a state nested too deep or too large, naming state', () => {
    expect(stateErrors({ bookmarks: { orders: { id: 5 } } })).toEqual({});
    expect(stateErrors(nested(STATE_MAX_DEPTH))).toEqual({});
    expect(stateErrors(nested(STATE_MAX_DEPTH + 1))).toEqual({ state: [expect.stringMatching(/too deep/)] });
    expect(stateErrors(nested(10_000))).toEqual({ state: [expect.stringMatching(/too deep/)] });
    expect(stateErrors({ bookmarks: { big: { v: 'x'.repeat(300 * 1024) } } })).toEqual({ state: [expect.stringMatching(/too large/)] });
  });
});
