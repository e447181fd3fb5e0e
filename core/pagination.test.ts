import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { decodeCursor, encodeCursor, isStorableDate, page } from './pagination.js';

const ID = '0b8f2f5e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const crafted = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const refusal = (cursor: string) => {
  try {
    decodeCursor(cursor);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('decodeCursor', () => {
  it('reads back what encodeCursor wrote, and nothing when there is no cursor', () => {
    const at = new Date('2026-01-31T12:34:56.789Z');
    expect(decodeCursor(encodeCursor(at, ID))).toEqual({ at: '2026-01-31T12:34:56.789Z', id: ID });
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it('refuses every cursor it did not give out with a 400-class error naming the field', () => {
    const cases: Record<string, string> = {
      empty: '',
      'not base64 JSON': 'zzz',
      'JSON but not an object': crafted('"x"'),
      null: crafted('null'),
      'an array': crafted([1, 2]),
      'no id': crafted({ at: '2026-01-01T00:00:00Z' }),
      'no at': crafted({ id: ID }),
      'a numeric id': crafted({ at: '2026-01-01T00:00:00Z', id: 5 }),
      'an id that is not a uuid': crafted({ at: '2026-01-01T00:00:00Z', id: `${ID}' or 1=1 --` }),
      'a date that is not one': crafted({ at: 'yesterday', id: ID }),
      'a year Postgres cannot store': crafted({ at: '+275760-09-13T00:00:00Z', id: ID }),
      'a year before 1': crafted({ at: '-000001-01-01T00:00:00Z', id: ID }),
      'a numeric date': crafted({ at: 0, id: ID }),
    };
    for (const [name, cursor] of Object.entries(cases)) {
      const error = refusal(cursor);
      expect(error, name).toBeInstanceOf(AppError);
      expect(error, name).toMatchObject({ code: 'validation_failed', fields: { cursor: ['is not a valid cursor'] } });
      expect((error as Error).message, name).toMatch(/Start again without it/);
    }
  });

  it('keeps only at and id from a cursor with extra fields', () => {
    expect(decodeCursor(crafted({ at: '2026-01-01T00:00:00Z', id: ID, extra: 'x' }))).toEqual({ at: '2026-01-01T00:00:00Z', id: ID });
  });
});

describe('isStorableDate', () => {
  it('takes years 1 to 9999 and nothing Date.parse cannot read', () => {
    expect(isStorableDate('0001-01-01T00:00:00Z')).toBe(true);
    expect(isStorableDate('9999-12-31T23:59:59Z')).toBe(true);
    expect(isStorableDate('+010000-01-01T00:00:00Z')).toBe(false);
    expect(isStorableDate('0000-12-31T00:00:00Z')).toBe(false);
    expect(isStorableDate('not a date')).toBe(false);
  });
});

describe('page', () => {
  const rows = [3, 2, 1].map((n) => ({ n, at: new Date(Date.UTC(2026, 0, n)), id: `id-${n}` }));
  const key = (row: (typeof rows)[number]) => ({ at: row.at, id: row.id });

  it('cuts a limit + 1 result to the limit, with a cursor after the last row shown', () => {
    const result = page(rows, 2, key);
    expect(result.data.map((r) => r.n)).toEqual([3, 2]);
    expect(JSON.parse(Buffer.from(result.next_cursor!, 'base64url').toString())).toEqual({ at: '2026-01-02T00:00:00.000Z', id: 'id-2' });
  });

  it('has no next cursor on the last page, full or not', () => {
    expect(page(rows, 3, key)).toEqual({ data: rows, next_cursor: null });
    expect(page([], 3, key)).toEqual({ data: [], next_cursor: null });
  });
});
