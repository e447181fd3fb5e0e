import { describe, expect, it } from 'vitest';
import { aboutDoc, parseConfig, sslOption } from './config.js';

describe('parseConfig', () => {
  it("reads meltanolabs-tap-postgres's setting names", () => {
    expect(parseConfig({ host: 'db', port: '5433', user: 'u', password: 'p', database: 'd', filter_schemas: '["public","x"]' })).toMatchObject({
      host: 'db',
      port: 5433,
      user: 'u',
      password: 'p',
      database: 'd',
      filter_schemas: ['public', 'x'],
    });
  });
  it('takes a URL instead of the five connection settings', () => {
    expect(parseConfig({ sqlalchemy_url: 'postgresql+psycopg2://me:s%40cret@db.example.com:6543/sales' })).toMatchObject({ host: 'db.example.com', port: 6543, user: 'me', password: 's@cret', database: 'sales' });
  });
  it('reads ssl_enable and ssl_mode as meltanolabs-tap-postgres does', () => {
    expect(parseConfig({}).ssl_mode).toBe('prefer');
    expect(parseConfig({ ssl_enable: true }).ssl_mode).toBe('verify-full');
    expect(parseConfig({ ssl_enable: true, ssl_mode: 'require' }).ssl_mode).toBe('require');
    expect(() => parseConfig({ ssl_mode: 'sometimes' })).toThrow(/"ssl_mode"/);
    expect(sslOption('disable')).toBe(false);
    expect(sslOption('verify-ca')).toMatchObject({ rejectUnauthorized: true });
  });
  it('names the bad setting', () => {
    expect(() => parseConfig({ port: 'abc' })).toThrow(/"port"/);
    expect(() => parseConfig({ filter_schemas: 5 })).toThrow(/"filter_schemas"/);
  });
  it('marks secrets in --about', () => {
    const about = aboutDoc();
    expect(about.capabilities).toEqual(['catalog', 'discover', 'state', 'about', 'live-schema']);
    expect(about.settings.properties.password).toMatchObject({ secret: true });
  });
});

describe('meltano.yml', () => {
  it('declares the settings the tap reports, secrets as sensitive', async () => {
    const { readPluginDefinitions } = await import('../plugins.js');
    const definition = (await readPluginDefinitions()).find((d) => d.name === 'tap-sluice-postgres')!;
    const reported = aboutDoc().settings.properties as Record<string, { secret?: boolean }>;
    expect(definition.settings.map((s) => s.name).sort()).toEqual(Object.keys(reported).sort());
    for (const [name, s] of Object.entries(reported)) expect(Boolean(definition.settings.find((d) => d.name === name)?.sensitive), name).toBe(Boolean(s.secret));
  });

  it('declares the capabilities the tap reports (live-schema: Sluice syncs it without discovering again)', async () => {
    const { readPluginDefinitions } = await import('../plugins.js');
    const definition = (await readPluginDefinitions()).find((d) => d.name === 'tap-sluice-postgres')!;
    expect(definition.capabilities).toEqual(aboutDoc().capabilities);
  });

  it('reads back through the settings reader plugin registration uses', async () => {
    const { settingsFromAbout } = await import('../about-settings.js');
    const settings = settingsFromAbout(aboutDoc().settings).settings;
    expect(settings.filter((s) => s.sensitive).map((s) => s.name).sort()).toEqual(['password', 'sqlalchemy_url']);
  });
});
