import type { PluginDefinition } from '../meltano/plugins.js';

/** A catalog entry for e2e/fixtures/plugin-probe.mjs (a tap that reports what it can reach, or holds its sync). */
export const probePlugin = (entry: { name: string; namespace: string; label: string; description: string }): PluginDefinition => ({
  ...entry,
  kind: 'extractor',
  executable: 'e2e/fixtures/plugin-probe.mjs',
  category: 'test',
  setup_guide: 'none',
  capabilities: ['catalog', 'discover', 'state'],
  settings: [
    { name: 'secret', kind: 'password', sensitive: true },
    { name: 'project_root', kind: 'string' },
  ],
  settings_group_validation: [['secret', 'project_root']],
});
