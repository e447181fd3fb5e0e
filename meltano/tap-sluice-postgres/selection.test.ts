import { describe, expect, it } from 'vitest';
import { selectedStreams } from './selection.js';

const entry = (id: string, top: Record<string, unknown>, props: Record<string, Record<string, unknown>> = {}) => ({
  tap_stream_id: id,
  schema: { properties: { id: {}, a: {}, b: {} } },
  metadata: [{ breadcrumb: [], metadata: top }, ...Object.entries(props).map(([name, metadata]) => ({ breadcrumb: ['properties', name], metadata }))],
});

describe('selectedStreams', () => {
  it('takes selected streams and properties, automatic ones always', () => {
    const catalog = {
      streams: [
        entry('public-a', { selected: true }, { id: { inclusion: 'automatic', selected: false }, a: { selected: false }, b: { selected: true } }),
        entry('public-b', { selected: false }),
        entry('public-c', { 'selected-by-default': true }),
      ],
    };
    expect(selectedStreams(catalog)).toEqual([
      { stream: 'public-a', properties: ['id', 'b'], listed: ['id', 'a', 'b'], wholeTable: false, method: 'FULL_TABLE', replicationKey: undefined },
      { stream: 'public-c', properties: ['id', 'a', 'b'], listed: ['id', 'a', 'b'], wholeTable: true, method: 'FULL_TABLE', replicationKey: undefined },
    ]);
  });

  it('reads a stream whose every column is selected as the whole table (columns added since discovery too)', () => {
    const whole = (props: Record<string, Record<string, unknown>>) => selectedStreams({ streams: [entry('s', { selected: true }, props)] })[0]!.wholeTable;
    // as Sluice selects a stream: every column, unsupported ones left out
    expect(whole({ id: { inclusion: 'automatic' }, a: { selected: true }, b: { inclusion: 'unsupported', selected: false } })).toBe(true);
    expect(whole({ a: { selected: false } })).toBe(false);
  });

  it('reads the replication method and key from metadata, then from the entry', () => {
    const catalog = { streams: [entry('s', { selected: true, 'replication-method': 'INCREMENTAL', 'replication-key': 'a' }), { ...entry('t', { selected: true }), replication_method: 'INCREMENTAL', replication_key: 'b' }] };
    expect(selectedStreams(catalog).map((s) => [s.method, s.replicationKey])).toEqual([
      ['INCREMENTAL', 'a'],
      ['INCREMENTAL', 'b'],
    ]);
  });

  it('says plainly what it cannot do', () => {
    expect(() => selectedStreams({ streams: [entry('s', { selected: true, 'replication-method': 'LOG_BASED' })] })).toThrow(/LOG_BASED is not supported/);
    expect(() => selectedStreams({ streams: [entry('s', { selected: true, 'replication-method': 'INCREMENTAL' })] })).toThrow(/names no replication key/);
    expect(() => selectedStreams({})).toThrow(/no "streams"/);
  });
});
