import { parsePipUrl } from './pip-requirement.js';
import { describe, expect, it } from 'vitest';
import { validateConfig } from './config-validation.js';
import { parsePluginDefinitions, readPluginDefinitions } from './plugins.js';
import { configSchemaFor, secretSettingNames } from './settings-schema.js';
import { settingEnvName, settingsToEnv } from './setting-env.js';

const yaml = `
plugins:
  extractors:
    - name: tap-demo
      namespace: tap_demo
      pip_url: tap-demo==1.0
      executable: tap-demo
      label: Demo
      description: A demo
      category: test
      setup_guide: Fill it in.
      settings:
        - { name: host, label: Host }
        - { name: port, kind: integer, value: 5432 }
        - { name: password, kind: password }
        - { name: api_key, sensitive: true }
        - { name: mode, kind: options, options: [{ label: Fast, value: fast }, { label: Safe, value: safe }] }
        - { name: since, kind: date_iso8601 }
        - { name: tags, kind: array }
        - { name: verbose, kind: boolean }
      settings_group_validation:
        - [host, password]
        - [api_key]
`;

describe('plugin settings → JSON Schema', () => {
  const [plugin] = parsePluginDefinitions(yaml);

  it('maps kinds, defaults, labels and secrets', () => {
    const schema = configSchemaFor(plugin!) as { properties: Record<string, Record<string, unknown>>; anyOf: unknown };
    expect(schema.properties.host).toEqual({ type: 'string', title: 'Host' });
    expect(schema.properties.port).toEqual({ type: 'integer', default: 5432 });
    expect(schema.properties.password).toMatchObject({ type: 'string', writeOnly: true, 'x-secret': true });
    expect(schema.properties.api_key).toMatchObject({ 'x-secret': true });
    expect(schema.properties.mode).toMatchObject({ enum: ['fast', 'safe'] });
    expect(schema.properties.since).toMatchObject({ type: 'string', format: 'date' });
    expect(schema.properties.tags).toMatchObject({ type: 'array' });
    expect(schema.anyOf).toEqual([{ required: ['host', 'password'] }, { required: ['api_key'] }]);
    expect(secretSettingNames(plugin!)).toEqual(['password', 'api_key']);
  });

  it('validates configs naming the field at fault', () => {
    const schema = configSchemaFor(plugin!);
    expect(validateConfig(schema, { api_key: 'k' })).toEqual({});
    expect(validateConfig(schema, { host: 'h', port: 'x', mode: 'turbo', since: 'yesterday', nope: 1 })).toEqual({
      port: ['must be a whole number'],
      mode: ['must be one of: fast, safe'],
      since: ['must be a date like 2024-01-31'],
      nope: ['is not a setting of this connector'],
      password: ['is required'],
    });
    // a stored secret counts as present
    expect(validateConfig(schema, { host: 'h' }, ['password'])).toEqual({});
    expect(validateConfig(schema, { api_key: 5, tags: 'a', verbose: 'yes' })).toEqual({ api_key: ['must be text'], tags: ['must be a list'], verbose: ['must be true or false'] });
  });

  it('turns settings into the env vars Meltano reads', () => {
    expect(settingEnvName('tap-demo', 'auth.user')).toBe('TAP_DEMO_AUTH_USER');
    expect(settingsToEnv('tap-demo', { port: 5432, tags: ['a'], verbose: true, host: null })).toEqual({ TAP_DEMO_PORT: '5432', TAP_DEMO_TAGS: '["a"]', TAP_DEMO_VERBOSE: 'true' });
  });

  it("reads the project's meltano.yml: every required plugin, all custom with PyPI pip_urls", async () => {
    const plugins = await readPluginDefinitions();
    const names = plugins.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['tap-postgres', 'tap-jsonl', 'tap-salesforce', 'target-jsonl', 'target-clickhouse']));
    for (const p of plugins) {
      expect(p.namespace).toBeTruthy();
      // What registration accepts, pinned: the plugin's package, then exactly pinned companions (setuptools for taps that import pkg_resources).
      if (p.pip_url) {
        const parsed = parsePipUrl(p.pip_url);
        expect(parsed.ok && parsed.main.pinned, `${p.name}: ${p.pip_url}`).toBeTruthy();
      }
    }
  });

  it('rejects a bad definition with the path of the bad field', () => {
    expect(() => parsePluginDefinitions('plugins:\n  extractors:\n    - name: Bad Name\n')).toThrow(/plugins\.extractors\.0\.name/);
  });
});
