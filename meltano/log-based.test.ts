import { describe, expect, it } from 'vitest';
import { committedLsn, logBasedNameProblem, logBasedTapConfig, lsnText, lsnValue, markLogBased, replicationSlotName, withoutBookmarks } from './log-based.js';

describe('replicationSlotName', () => {
  it('is sluice_ and the pipeline id without dashes: valid for PostgreSQL and tap-postgres', () => {
    const name = replicationSlotName('3F0C2A9E-1b7d-4c55-9a0e-5a1f2b3c4d5e');
    expect(name).toBe('sluice_3f0c2a9e1b7d4c559a0e5a1f2b3c4d5e');
    // tap-postgres 0.10.0's pattern for replication_slot_name
    expect(name).toMatch(/^(?!pg_)[A-Za-z0-9_]{1,63}$/);
  });

  it('stays within 63 characters and refuses an id with nothing to name it by', () => {
    expect(replicationSlotName('a'.repeat(100))).toHaveLength(63);
    expect(() => replicationSlotName('--')).toThrow(/no letters or digits/);
  });
});

describe('logBasedTapConfig', () => {
  it('names the slot and reads all streams in one pass, copying new ones first', () => {
    expect(logBasedTapConfig('p-1')).toEqual({
      replication_slot_name: 'sluice_p1',
      log_based_single_connection: true,
      auto_bootstrap_log_based: true,
      replication_idle_exit_seconds: 10,
      replication_max_run_seconds: 3600,
    });
  });
});

describe('logBasedNameProblem', () => {
  it('takes the names wal2json reads through the tap (tried: quote, dot, comma, star, backslash, upper case)', () => {
    for (const table of ["it's", 'a.b', 'comma,x', 'star*', 'back\\slash', 'CustomerAccounts']) expect(logBasedNameProblem('public', table)).toBeUndefined();
  });

  it('says which name cannot be read from the log: spaces and non-ASCII fail the whole run', () => {
    expect(logBasedNameProblem('public', 'Customer Accounts')).toMatch(/table name "Customer Accounts" contains a space.*Use incremental or full refresh/);
    expect(logBasedNameProblem('Ünïcode', 'x')).toMatch(/schema name "Ünïcode" contains characters beyond plain ASCII/);
  });
});

describe('markLogBased', () => {
  it('sets LOG_BASED in the metadata and the entry, and takes any replication key away', () => {
    const entry = { replication_method: 'INCREMENTAL', replication_key: 'updated_at', metadata: [{ breadcrumb: [], metadata: { selected: true, 'replication-key': 'updated_at' } }] };
    markLogBased(entry);
    expect(entry).toEqual({ replication_method: 'LOG_BASED', metadata: [{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'LOG_BASED' } }] });
  });
});

describe('committedLsn', () => {
  // The shape tap-postgres 0.10.0 writes for LOG_BASED streams without a replication key.
  const state = { bookmarks: { 'public-a': { replication_key: null, replication_key_value: 55004776 }, 'public-b': { replication_key: null, replication_key_value: 36596088, starting_replication_value: null } } };

  it('is the lowest position of the streams asked for', () => {
    expect(committedLsn(state, ['public-a', 'public-b'])).toBe(36596088n);
    expect(committedLsn(state, ['public-a'])).toBe(55004776n);
  });

  it('is undefined while a stream has no position yet (it is copied whole first)', () => {
    expect(committedLsn(state, ['public-a', 'public-new'])).toBeUndefined();
    expect(committedLsn({}, ['public-a'])).toBeUndefined();
    expect(committedLsn({ bookmarks: { 'public-a': { replication_key_value: '2024-01-01' } } }, ['public-a'])).toBeUndefined();
  });

  it('withoutBookmarks drops only those streams, leaving the state given untouched', () => {
    const copy = withoutBookmarks(state, ['public-a']);
    expect(Object.keys(copy.bookmarks)).toEqual(['public-b']);
    expect(Object.keys(state.bookmarks)).toEqual(['public-a', 'public-b']);
  });
});

describe('lsnText / lsnValue', () => {
  it('turn positions into PostgreSQL\'s text form and back', () => {
    // 55004776 is what the server reported as 0/3474E68 in a real run
    expect(lsnText(55004776n)).toBe('0/3474E68');
    expect(lsnText((0x16n << 32n) + 0xb374d848n)).toBe('16/B374D848');
    expect(lsnValue('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(lsnValue(lsnText(36596088n))).toBe(36596088n);
  });
});
