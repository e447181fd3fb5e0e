import { describe, expect, it } from 'vitest';
import type { DiscoveredStream } from '../../db/schema/index.js';
import { streamSelectionErrors } from './stream-selection.js';

const stream = (name: string, columns: string[]): DiscoveredStream => ({
  stream: name,
  properties: Object.fromEntries(columns.map((c) => [c, { type: 'string' }])),
  key_properties: [],
  replication_keys: [],
  replication_methods: ['FULL_TABLE'],
});

describe('streamSelectionErrors', () => {
  const discovered = [stream('public-Customer Accounts', ['id', 'updated at']), stream('日本.売上', ['id']), stream('a', ['constructor'])];

  it('takes exact names of any characters and keys that are columns', () => {
    expect(streamSelectionErrors([{ stream: 'public-Customer Accounts', replication_method: 'INCREMENTAL', replication_key: 'updated at' }, { stream: '日本.売上', replication_method: 'FULL_TABLE' }], discovered)).toEqual({});
  });

  it('names each unknown stream, repeated stream and unknown key by its index', () => {
    const errors = streamSelectionErrors(
      [
        { stream: 'public-customer accounts', replication_method: 'FULL_TABLE' },
        { stream: 'a', replication_method: 'INCREMENTAL', replication_key: 'toString' },
        { stream: 'a', replication_method: 'FULL_TABLE' },
      ],
      discovered,
    );
    expect(Object.keys(errors)).toEqual(['streams.0.stream', 'streams.1.replication_key', 'streams.2.stream']);
    expect(errors['streams.0.stream']![0]).toContain('"public-Customer Accounts"');
    expect(errors['streams.1.replication_key']![0]).toContain('"toString" is not a column of "a"');
    expect(errors['streams.2.stream']![0]).toContain('chosen twice');
  });

  it('says so when discovery found nothing', () => {
    expect(streamSelectionErrors([{ stream: 'x', replication_method: 'FULL_TABLE' }], [])['streams.0.stream']![0]).toMatch(/found none/);
  });
});
