import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFromAbout } from './about-settings.js';
import { schemaProblems } from './config-validation.js';
import { LOG_BASED_LABEL, LOG_BASED_PLUGIN } from './log-based-source.js';
import { readPluginDefinitions } from './plugins.js';
import { projectRoot } from './project.js';
import { configSchemaFor } from './settings-schema.js';
import { formModel } from '../web/src/forms/schema-fields.js';
import { matchingSources, sourcesByLabel } from '../web/src/pages/catalog-filter.js';

// The catalog as people meet it: every source in meltano.yml gives a form a person can fill.
const definitions = await readPluginDefinitions();
const sources = definitions.filter((d) => d.kind === 'extractor');
// Words a person adding an integration should never have to read.
const JARGON = /\b(singer|meltano|tap|target|stdout|stdin)\b/i;

describe('the catalog', () => {
  it('offers at least 20 sources, each with a curated label, category, description, setup guide and icon', () => {
    expect(sources.length).toBeGreaterThanOrEqual(20);
    for (const d of definitions) {
      expect(d.label, d.name).not.toMatch(JARGON);
      expect(d.description.length, d.name).toBeGreaterThan(10);
      expect(`${d.description} ${d.setup_guide}`, d.name).not.toMatch(JARGON);
      expect(d.logo_url, d.name).toMatch(/^\/icons\/.+\.svg$/);
      expect(existsSync(path.join(projectRoot, 'web', 'public', d.logo_url!)), `${d.name}: ${d.logo_url}`).toBe(true);
    }
    expect(new Set(sources.map((s) => s.label)).size).toBe(sources.length);
  });

  it('offers the built-in PostgreSQL source first, as plain "PostgreSQL", and the change-log one after it, saying when to choose it', () => {
    const found = matchingSources(sourcesByLabel(sources), 'postgres', 'all');
    expect(found.slice(0, 2).map((d) => [d.name, d.label])).toEqual([['tap-sluice-postgres', 'PostgreSQL'], [LOG_BASED_PLUGIN, LOG_BASED_LABEL]]);
    const changeLog = found[1]!;
    expect(changeLog.capabilities).toContain('log-based');
    expect(changeLog.description).toMatch(/deleted/);
    expect(changeLog.description).toMatch(/logical replication/);
  });

  it.each(definitions.map((d) => [d.name, d] as const))('%s: its settings make a valid schema and a form with a labelled field each', (_, d) => {
    const schema = configSchemaFor(d);
    expect(schemaProblems(schema)).toEqual([]);
    const model = formModel(schema);
    const shown = d.settings.filter((s) => s.kind !== 'hidden');
    expect(model.fields.map((f) => f.name).sort()).toEqual(shown.map((s) => s.name).sort());
    for (const f of model.fields) expect(f.label.trim(), `${d.name}.${f.name}`).not.toBe('');
    // What a person must fill is shown up front, never folded away, and exists.
    for (const group of d.settings_group_validation) {
      for (const name of group) {
        expect(shown.map((s) => s.name), `${d.name}: required ${name}`).toContain(name);
        expect(model.fields.find((f) => f.name === name)?.advanced, `${d.name}: ${name} is required but folded away`).toBe(false);
      }
    }
    // Secrets are never plain fields.
    for (const s of shown.filter((s) => s.sensitive)) expect(model.fields.find((f) => f.name === s.name)?.secret, `${d.name}.${s.name}`).toBe(true);
  });

  // The sources registered from what the plugin said about itself (--about, saved when they were
  // registered): every setting it reports is in meltano.yml (hidden ones too), none it does not,
  // and each it marks secret is secret.
  it.each(['tap-postgres', 'tap-mongodb', 'tap-snowflake', 'tap-github', 'tap-hubspot', 'tap-facebook'])('%s: its settings are the ones the plugin reports', (name) => {
    const about = JSON.parse(readFileSync(path.join(projectRoot, 'meltano', 'fixtures', 'about', `${name}.json`), 'utf8')) as { settings: unknown };
    const reported = settingsFromAbout(about.settings).settings;
    const definition = definitions.find((d) => d.name === name)!;
    expect(definition.settings.map((s) => s.name).sort()).toEqual(reported.map((s) => s.name).sort());
    for (const s of reported.filter((r) => r.sensitive)) expect(definition.settings.find((d) => d.name === s.name)?.sensitive, `${name}.${s.name}`).toBe(true);
  });
});
