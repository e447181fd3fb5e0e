import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withPluginAdded, withPluginRemoved, withPluginReplaced, type DefinitionInput } from './meltano-yml.js';
import { parsePluginDefinitions } from './plugins.js';
import { meltanoFile } from './project.js';

const original = readFileSync(meltanoFile, 'utf8');
const github: DefinitionInput = {
  name: 'tap-example',
  label: 'GitHub',
  description: 'Repositories, issues and pull requests.',
  category: 'engineering',
  setup_guide: 'Create a personal access token with read access.',
  logo_url: '/icons/tap-github.svg',
  namespace: 'tap_github',
  pip_url: 'meltanolabs-tap-github==1.30.1',
  executable: 'tap-github',
  capabilities: ['about', 'catalog', 'discover', 'state'],
  settings: [
    { name: 'auth_token', kind: 'string', label: 'Access token', sensitive: true },
    { name: 'repositories', kind: 'array', label: 'Repositories' },
    { name: 'start_date', kind: 'date_iso8601', label: 'Start date', json_schema: { type: 'string', format: 'date-time' } },
    { name: 'rate_limit_buffer', kind: 'integer', label: 'Rate limit buffer', value: 1000, advanced: true },
    { name: 'mode', kind: 'options', label: 'Mode', options: [{ label: 'Fast', value: 'fast' }, { label: 'Safe', value: 'safe' }] },
  ],
  settings_group_validation: [['auth_token', 'repositories']],
};

describe('meltano.yml edits', () => {
  it('adds a plugin, keeping every comment and the rest of the file as written', () => {
    const text = withPluginAdded(original, 'extractor', github);
    // Everything before the loaders is unchanged, byte for byte, and the new plugin reads back as given.
    expect(text.startsWith(original.slice(0, original.indexOf('  loaders:')))).toBe(true);
    expect(text).toContain('# Sluice\'s Meltano project.');
    expect(text).toContain('capabilities: [about, catalog, discover, state]');
    const parsed = parsePluginDefinitions(text).find((p) => p.name === 'tap-example');
    expect(parsed).toMatchObject({ ...github, kind: 'extractor' });
    expect(parsePluginDefinitions(text).map((p) => p.name)).toEqual([...parsePluginDefinitions(original).map((p) => p.name).filter((n) => n.startsWith('tap-')), 'tap-example', ...parsePluginDefinitions(original).map((p) => p.name).filter((n) => n.startsWith('target-'))]);
  });

  it('refuses a name any section already has', () => {
    expect(() => withPluginAdded(original, 'extractor', { ...github, name: 'tap-postgres' })).toThrow(/already has a plugin named tap-postgres/);
    expect(() => withPluginAdded(original, 'extractor', { ...github, name: 'target-jsonl' })).toThrow(/already has/);
  });

  it('replaces in place and removes, leaving the others untouched', () => {
    const added = withPluginAdded(original, 'extractor', github);
    const replaced = withPluginReplaced(added, 'extractor', { ...github, pip_url: 'meltanolabs-tap-github==1.31.0' });
    expect(parsePluginDefinitions(replaced).find((p) => p.name === 'tap-example')?.pip_url).toBe('meltanolabs-tap-github==1.31.0');
    expect(withPluginRemoved(replaced, 'extractor', 'tap-example')).toBe(original);
  });
});
