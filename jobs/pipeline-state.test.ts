import { describe, expect, it } from 'vitest';
import { unusableState } from './pipeline-state.js';

describe('unusableState', () => {
  it('accepts Singer state', () => {
    expect(unusableState({ bookmarks: { orders: { replication_key_value: '2024-01-01' } } })).toBeUndefined();
  });
  it('refuses what a tap cannot take, in plain words', () => {
    expect(unusableState({ bookmarks: { x: 5 } })).toBe('state.bookmarks.x must be an object');
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 1500; i += 1) deep = (deep.a = {}) as Record<string, unknown>;
    // an edit meets the API's own limits; a rollback (to what a tap reported) only a parser's
    expect(unusableState(root)).toBe('state nests too deep: at most 32 levels of objects and lists');
    expect(unusableState(root, 'rollback')).toBe('it is nested more than 100 levels deep');
    expect(unusableState([], 'rollback')).toBe('it is not a JSON object');
  });
});
