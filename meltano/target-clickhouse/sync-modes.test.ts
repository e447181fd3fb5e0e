import { describe, expect, it } from 'vitest';
import { featuresOf } from './column-types.js';
import { dropsOlderVersions, engineClause, modeFor, parseStreamModes } from './sync-modes.js';
import { planTable } from './table-plan.js';

describe('stream_modes setting', () => {
  it('accepts an object or its JSON text', () => {
    expect(parseStreamModes({ a: 'overwrite', 'b c': 'append' })).toEqual({ modes: { a: 'overwrite', 'b c': 'append' } });
    expect(parseStreamModes('{"a":"deduped"}')).toEqual({ modes: { a: 'deduped' } });
  });

  it('says what is wrong with a bad value', () => {
    expect(parseStreamModes('{oops')).toEqual({ error: 'must be a JSON object like {"orders": "overwrite"}' });
    expect(parseStreamModes(['a'])).toEqual({ error: 'must be an object like {"orders": "overwrite"}' });
    expect(parseStreamModes({ a: 'mirror' })).toEqual({ error: 'gives stream "a" the mode "mirror"; use one of overwrite, append, deduped' });
  });

  it('streams not listed keep the default: deduped with keys, else append; deduped needs keys', () => {
    expect(modeFor({}, 's', true)).toBe('deduped');
    expect(modeFor({}, 's', false)).toBe('append');
    expect(modeFor({ s: 'overwrite' }, 's', false)).toBe('overwrite');
    expect(modeFor({}, 'constructor', true)).toBe('deduped'); // not Object.prototype's
    expect(() => modeFor({ s: 'deduped' }, 's', false)).toThrow(/no key columns/);
  });

  it('ACTIVATE_VERSION drops older versions unless append was chosen or the table is overwritten', () => {
    expect(dropsOlderVersions({}, 's', 'deduped')).toBe(true);
    expect(dropsOlderVersions({}, 's', 'append')).toBe(true);
    expect(dropsOlderVersions({ s: 'append' }, 's', 'append')).toBe(false);
    expect(dropsOlderVersions({ s: 'overwrite' }, 's', 'overwrite')).toBe(false);
  });
});

describe('engine per mode', () => {
  it('append is a plain MergeTree even when keyed; deduped and keyed overwrite replace by _sdc_sequence', () => {
    expect(engineClause('append', ['id'], true)).toBe('ENGINE = MergeTree ORDER BY (`id`)');
    expect(engineClause('append', [], false)).toBe('ENGINE = MergeTree ORDER BY tuple()');
    expect(engineClause('deduped', ['t', 'id'], true)).toBe('ENGINE = ReplacingMergeTree(`_sdc_sequence`) ORDER BY (`t`, `id`)');
    expect(engineClause('overwrite', ['id'], true)).toBe('ENGINE = ReplacingMergeTree(`_sdc_sequence`) ORDER BY (`id`)');
    expect(engineClause('overwrite', [], false)).toBe('ENGINE = MergeTree ORDER BY tuple()');
  });

  it('planTable creates the table with the mode\'s engine', () => {
    const plan = (mode?: 'append') =>
      planTable({ stream: 's', table: 't', database: 'd', properties: { id: { type: 'integer' } }, keyProperties: ['id'], existing: new Map(), features: featuresOf('18.16.1'), tenantId: undefined, ...(mode ? { mode } : {}) }).statements[0];
    expect(plan()).toMatch(/ENGINE = ReplacingMergeTree\(`_sdc_sequence`\) ORDER BY \(`id`\)$/);
    expect(plan('append')).toMatch(/ENGINE = MergeTree ORDER BY \(`id`\)$/);
  });
});
