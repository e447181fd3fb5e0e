import { describe, expect, it } from 'vitest';
import { pluginConfig } from './plugin-config.js';

describe('pluginConfig', () => {
  it("applies meltano.yml defaults, keeps only declared settings and nests dotted names", () => {
    const settings = [{ name: 'host' }, { name: 'port', value: 5432 }, { name: 'ssl', value: false }, { name: 'auth.token' }, { name: 'auth.kind', value: 'bearer' }];
    expect(pluginConfig(settings, { host: 'db', ssl: true, 'auth.token': 't', other: 'x', port: null })).toEqual({ host: 'db', port: 5432, ssl: true, auth: { token: 't', kind: 'bearer' } });
  });
  it('does not take settings from the prototype', () => {
    expect(pluginConfig([{ name: 'toString' }, { name: 'constructor' }], {})).toEqual({});
  });
});
