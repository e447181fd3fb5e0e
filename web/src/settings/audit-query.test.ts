import { describe, expect, it } from 'vitest';
import { auditQuery, endOfDay, filterProblems, filterSummary, hasFilters, noFilters, startOfDay } from './audit-query.js';

const local = (y: number, m: number, d: number, h = 0, min = 0, s = 0, ms = 0) => new Date(y, m - 1, d, h, min, s, ms).toISOString();

describe('whole local days as the API’s inclusive since/until', () => {
  it('starts at local midnight and ends at the last millisecond of the day', () => {
    expect(startOfDay('2024-03-31')).toBe(local(2024, 3, 31));
    expect(endOfDay('2024-03-31')).toBe(local(2024, 3, 31, 23, 59, 59, 999));
  });
  it('refuses days that do not exist and years the API cannot take', () => {
    for (const bad of ['', '2024-02-30', '2024-13-01', '31/03/2024', '0000-01-01', '0999-12-31', '9999-12-31', '20245-01-01', '2024-1-1']) {
      expect(startOfDay(bad), bad).toBeUndefined();
      expect(endOfDay(bad), bad).toBeUndefined();
    }
    expect(startOfDay('2024-02-29')).toBe(local(2024, 2, 29));
  });
});

describe('auditQuery', () => {
  it('sends only the filters that are set, and the cursor', () => {
    expect(auditQuery(noFilters)).toBe('?limit=50');
    expect(auditQuery(noFilters, 'c123', 10)).toBe('?limit=10&cursor=c123');
    const query = new URLSearchParams(auditQuery({ action: 'connector.create', resourceType: 'connector', actor: '  ann@x.test ', from: '2024-01-01', to: '2024-01-31' }, '77'));
    expect(Object.fromEntries(query)).toEqual({
      limit: '50',
      action: 'connector.create',
      resource_type: 'connector',
      actor: 'ann@x.test',
      since: local(2024, 1, 1),
      until: local(2024, 1, 31, 23, 59, 59, 999),
      cursor: '77',
    });
  });
  it('escapes what a person types', () => {
    expect(new URLSearchParams(auditQuery({ ...noFilters, actor: 'token "a&b=c"' })).get('actor')).toBe('token "a&b=c"');
    expect(auditQuery({ ...noFilters, actor: '   ' })).toBe('?limit=50');
  });
});

describe('filterProblems', () => {
  it('accepts empty and sensible filters', () => {
    expect(filterProblems(noFilters)).toEqual({});
    expect(filterProblems({ ...noFilters, from: '2024-01-01', to: '2024-01-01' })).toEqual({});
  });
  it('names a to date before the from date, a bad date and a too-long who', () => {
    expect(Object.keys(filterProblems({ ...noFilters, from: '2024-02-01', to: '2024-01-31' }))).toEqual(['to']);
    expect(filterProblems({ ...noFilters, from: '2024-02-30' }).from).toMatch(/real date/);
    expect(Object.keys(filterProblems({ ...noFilters, actor: 'a'.repeat(321) }))).toEqual(['actor']);
  });
});

describe('filterSummary (the table caption)', () => {
  it('says what is shown', () => {
    expect(hasFilters(noFilters)).toBe(false);
    expect(filterSummary(noFilters)).toBe('Showing every event, newest first.');
    expect(filterSummary({ action: 'token.revoke', resourceType: 'token', actor: 'ann', from: '2024-01-01', to: '' })).toBe('Showing events only “Revoked an API token”, about API tokens, by someone matching “ann”, from 2024-01-01 on, newest first.');
  });
  it('lower-cases words but not initials', () => {
    expect(filterSummary({ ...noFilters, resourceType: 'connector' })).toBe('Showing events about connections, newest first.');
  });
});
