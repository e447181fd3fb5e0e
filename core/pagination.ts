import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Keyset pagination, newest first: a cursor is the (created_at, id) of the last item a page
 * showed, so pages stay stable while rows are added.
 */
export type Cursor = { at: string; id: string };

export const pageQuery = z.object({
  limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  cursor: z.string().max(500).optional(),
});

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.at === 'string' && typeof value.id === 'string' && !Number.isNaN(Date.parse(value.at))) return value;
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'The cursor is not one this API gave out. Start again without it.', { cursor: ['is not a valid cursor'] });
}

export const encodeCursor = (at: Date, id: string | number) => Buffer.from(JSON.stringify({ at: at.toISOString(), id: String(id) })).toString('base64url');

/** Cuts a `limit + 1` result to a page and says where the next one starts. */
export function page<T>(rows: T[], limit: number, key: (row: T) => { at: Date; id: string | number }) {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(key(last).at, key(last).id) : null };
}
