/**
 * The Singer state handed to a tap, without the bookmarks of the streams given: a stream
 * read whole (full refresh) starts from the beginning every sync, while the others resume
 * where they were. Also forgets `currently_syncing` when it names one of them.
 *
 * @example
 * withoutBookmarks({ bookmarks: { a: { replication_key_value: 5 }, b: {} } }, ['b']) // { bookmarks: { a: { replication_key_value: 5 } } }
 */
export function withoutBookmarks(state: Record<string, unknown>, streams: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...state };
  const bookmarks = state.bookmarks;
  if (typeof bookmarks === 'object' && bookmarks !== null && !Array.isArray(bookmarks)) {
    copy.bookmarks = Object.fromEntries(Object.entries(bookmarks).filter(([stream]) => !streams.includes(stream)));
  }
  if (typeof copy.currently_syncing === 'string' && streams.includes(copy.currently_syncing)) delete copy.currently_syncing;
  return copy;
}
