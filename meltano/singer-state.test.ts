import { describe, expect, it } from 'vitest';
import { withoutBookmarks } from './singer-state.js';

describe('withoutBookmarks', () => {
  it('drops the bookmarks of the streams given and keeps the others and the rest of the state', () => {
    const state = { bookmarks: { 'public-a': { replication_key: 'updated_at', replication_key_value: '2024-01-01' }, 'public-b': { replication_key_value: 3 } }, currently_syncing: 'public-b', extra: 1 };
    expect(withoutBookmarks(state, ['public-b'])).toEqual({ bookmarks: { 'public-a': { replication_key: 'updated_at', replication_key_value: '2024-01-01' } }, extra: 1 });
    expect(withoutBookmarks(state, ['public-c'])).toEqual(state);
    expect(state.bookmarks['public-b']).toBeDefined();
  });

  it('leaves a state without bookmarks as it is', () => {
    expect(withoutBookmarks({}, ['x'])).toEqual({});
    expect(withoutBookmarks({ bookmarks: 'odd' }, ['x'])).toEqual({ bookmarks: 'odd' });
  });
});
