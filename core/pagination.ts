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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A date Postgres can store and compare (its range starts in 4713 BC; JavaScript's reaches
 * further both ways). Years 1-9999 is what any caller means and what ISO 8601 writes plainly.
 */
export function isStorableDate(value: string): boolean {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** A date-time query parameter (`since`, `until`): a 400 naming it when Postgres could not take it. */
export const dateTimeQuery = z.string().refine(isStorableDate, 'must be a date-time between years 0001 and 9999, like 2026-01-31T00:00:00Z');

/** Keyset cursors are only ever made from (timestamp, uuid) rows; anything else was crafted. */
export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.at === 'string' && typeof value.id === 'string' && UUID.test(value.id) && isStorableDate(value.at)) return { at: value.at, id: value.id };
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
