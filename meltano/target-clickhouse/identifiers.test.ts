import { describe, expect, it } from 'vitest';
import { quoteIdent, safeName, tableName } from './identifiers.js';

describe('identifiers', () => {
  it('keeps plain names and maps others deterministically without collisions', () => {
    expect(safeName('email')).toBe('email');
    expect(safeName('first name')).toMatch(/^first_name_[0-9a-f]{6}$/);
    expect(safeName('first name')).toBe(safeName('first name'));
    expect(safeName('first name')).not.toBe(safeName('first_name'));
    expect(safeName('1st')).toMatch(/^_1st_/);
    expect(tableName('', 'public-orders')).toBe('public_orders');
    expect(tableName('raw_', 'weird`; DROP TABLE x')).toMatch(/^raw_weird___DROP_TABLE_x_[0-9a-f]{6}$/);
  });

  it('quotes so nothing breaks out of the identifier', () => {
    expect(quoteIdent('a`b\\c')).toBe('`a\\`b\\\\c`');
  });
});
