import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../e2e/test-app.js';
import * as tenants from '../../core/tenants/service.js';
import { SDK_PLUMBING } from '../../meltano/about-settings.js';
import { meltanoFile, projectRoot } from '../../meltano/project.js';
import { withPluginReplaced } from '../../meltano/meltano-yml.js';
import { parsePluginDefinitions } from '../../meltano/plugins.js';

// Registering plugins through the API: real uv installs from PyPI into scratch venvs, real
// programs asked --about, a copy of meltano.yml edited. Refusals must change nothing.
const dir = await mkdtemp(path.join(tmpdir(), 'sluice-registry-'));
const file = path.join(dir, 'meltano.yml');
await copyFile(meltanoFile, file);
const t = await createTestApp({ meltanoFile: file });
const { call } = t;
let owner: string;
let platform: string;
// Unique per run: the test catalog outlives runs.
const dbf = `tap-dbf-${Date.now().toString(36)}`;

beforeAll(async () => {
  const tenant = await tenants.createTenant(t.db, `reg-${Date.now().toString(36)}`);
  owner = (await tenants.createToken(t.db, tenant.id, 'owner', 'owner')).token;
  platform = (await tenants.createToken(t.db, tenant.id, 'ops', 'owner', undefined, { platformAdmin: true })).token;
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const scratchLeft = async () => (await readdir(path.join(projectRoot, '.meltano', '.registering')).catch(() => [])).filter((n) => n.startsWith('tap-') || n.startsWith('target-'));

describe('POST /catalog', () => {
  it('is for platform admins only: a workspace owner is refused', async () => {
    const res = await call(owner, 'POST', '/catalog', { name: 'tap-dbf', pip_url: 'tap-dbf==0.1.25' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/platform admin/);
  });

  it.each([
    ['a git URL', { name: 'tap-x', pip_url: 'git+https://github.com/MeltanoLabs/tap-github.git' }, 400, 'pip_url', /not a URL/],
    ['a direct URL', { name: 'tap-x', pip_url: 'tap-x @ https://example.com/tap_x.whl' }, 400, 'pip_url', /not a URL/],
    ['a path', { name: 'tap-x', pip_url: '/tmp/tap-x' }, 400, 'pip_url', /not a path/],
    ['pip options', { name: 'tap-x', pip_url: '--index-url=http://127.0.0.1:1/simple' }, 400, 'pip_url', /option|URL/],
    ['shell text in the requirement', { name: 'tap-x', pip_url: 'tap-x==1.0;id' }, 400, 'pip_url', /may only hold/],
    ['shell metacharacters in the name', { name: 'tap-x;rm -rf /', pip_url: 'tap-dbf==0.1.25' }, 400, 'name', /lowercase letters/],
    ['a name with a path', { name: '../tap-x', pip_url: 'tap-dbf==0.1.25' }, 400, 'name', /lowercase letters/],
    ['a duplicate name', { name: 'tap-postgres', pip_url: 'tap-dbf==0.1.25' }, 409, 'name', /is taken/],
    ['an unknown package', { name: 'tap-nowhere', pip_url: 'tap-does-not-exist-sluice-test==1.0.0' }, 400, 'pip_url', /tap-does-not-exist-sluice-test/],
    ['a package with no program', { name: 'tap-six', pip_url: 'six==1.16.0' }, 400, 'pip_url', /installs no program/],
    ['a program that is not a Singer tap', { name: 'tap-dotenv', pip_url: 'python-dotenv==1.0.1' }, 400, 'pip_url', /not a Singer tap/],
    ['a file setting it does not have', { name: 'tap-dbf', pip_url: 'tap-dbf==0.1.25', file_settings: ['nope'] }, 400, 'file_settings', /not one of its settings/],
  ])('refuses %s, naming the field, and changes nothing', async (_, body, status, field, message) => {
    const before = await readFile(file, 'utf8');
    const res = await call(platform, 'POST', '/catalog', body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.fields?.[field]?.join(' ') ?? res.body.error.message).toMatch(message);
    expect(await readFile(file, 'utf8')).toBe(before);
    if (body.name !== 'tap-postgres') expect((await call(owner, 'GET', `/catalog/${encodeURIComponent(body.name)}`)).status).toBe(404);
    expect(await scratchLeft()).toEqual([]);
  });

  it('registers a Singer SDK tap from PyPI with the settings the plugin reports, in meltano.yml and the catalog', async () => {
    const res = await call(platform, 'POST', '/catalog', {
      name: dbf, pip_url: 'tap-dbf>=0.1.25,<=0.1.25', label: 'dBase files', category: 'file', logo_url: '/icons/tap-dbf.svg', file_settings: ['path'], hidden_settings: ['fs_root'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // A range: pinned to what was installed, so every worker installs the same.
    expect(res.body.plugin.pip_url).toBe('tap-dbf==0.1.25');
    expect(res.body.settings_from).toBe('plugin');
    expect(res.body.left_out.map((l: { name: string }) => l.name).sort()).toEqual([...SDK_PLUMBING].filter((n) => n !== 'flattening_separator').sort());

    const about = JSON.parse(await readFile(path.join(projectRoot, 'meltano', 'fixtures', 'about', 'tap-dbf-0.1.25.json'), 'utf8'));
    const shown = (await call(owner, 'GET', `/catalog/${dbf}`)).body;
    expect(shown).toMatchObject({ name: dbf, kind: 'extractor', label: 'dBase files', category: 'file', icon_url: '/icons/tap-dbf.svg' });
    expect(shown.capabilities).toEqual(about.capabilities);
    const properties = shown.config_schema.properties as Record<string, Record<string, unknown>>;
    // Every setting the plugin reports is offered (nested ones flattened), except the SDK's plumbing and the hidden root.
    const reported = Object.entries(about.settings.properties as Record<string, Record<string, unknown>>).flatMap(([name, p]) =>
      SDK_PLUMBING.has(name) || name === 'fs_root' ? [] : p.properties ? Object.keys(p.properties as object).map((k) => `${name}.${k}`) : [name]);
    expect(Object.keys(properties).sort()).toEqual(reported.sort());
    expect(properties['s3.secret']).toMatchObject({ writeOnly: true, 'x-secret': true, description: 'The AWS secret key.' });
    expect(properties.path).toMatchObject({ type: 'string', 'x-kind': 'file' });
    expect(properties.ignore_missing_memofile).toMatchObject({ type: 'boolean', default: false });
    expect(shown.config_schema.required).toEqual(about.settings.required);

    const yml = await readFile(file, 'utf8');
    expect(yml).toContain('# Sluice\'s Meltano project.');
    expect(yml).toMatch(new RegExp(`- name: ${dbf}\\n\\s+label: dBase files`));
    expect(await scratchLeft()).toEqual([]);
  });

  it('upgrades in place, keeping what people wrote, reporting what is gone, and removes only what no connection uses', async () => {
    const tenant = await tenants.createTenant(t.db, `reg-use-${Date.now().toString(36)}`);
    const admin = (await tenants.createToken(t.db, tenant.id, 'admin', 'admin')).token;
    const connector = await call(admin, 'POST', '/connectors', { name: 'dbf', plugin: dbf, config: { path: 'x/*.dbf' } });
    expect(connector.status, JSON.stringify(connector.body)).toBe(201);

    // As if the version registered before had a setting this one lacks, and someone reworded a label by hand.
    const current = parsePluginDefinitions(await readFile(file, 'utf8')).find((p) => p.name === dbf)!;
    const { kind: _, ...definition } = current;
    const edited = {
      ...definition,
      settings: [...definition.settings.map((s) => (s.name === 'path' ? { ...s, label: 'Files to read' } : s)), { name: 'legacy_mode', kind: 'boolean' as const, label: 'Legacy mode' }],
    };
    await writeFile(file, withPluginReplaced(await readFile(file, 'utf8'), 'extractor', edited));

    const up = await call(platform, 'POST', `/catalog/${dbf}/upgrade`, { pip_url: 'tap-dbf==0.1.25' });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body).toMatchObject({ removed_settings: ['legacy_mode'], added_settings: [], connectors_using_removed: 1, plugin: { label: 'dBase files' } });
    expect(up.body.log.join('\n')).toMatch(/The setting legacy_mode is gone in this version: 1 connection\(s\) of this type no longer pass their value for it/);
    const shown = (await call(owner, 'GET', `/catalog/${dbf}`)).body;
    expect(shown.config_schema.properties.path).toMatchObject({ title: 'Files to read', 'x-kind': 'file' });
    expect(shown.config_schema.properties.legacy_mode).toBeUndefined();
    expect(shown.config_schema.properties.fs_root).toBeUndefined();
    const refused = await call(platform, 'DELETE', `/catalog/${dbf}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(new RegExp(`1 connection\\(s\\) use ${dbf}`));

    expect((await call(admin, 'DELETE', `/connectors/${connector.body.id}`)).status).toBe(204);
    const before = await readFile(file, 'utf8');
    expect((await call(platform, 'DELETE', `/catalog/${dbf}`)).status).toBe(204);
    expect((await call(owner, 'GET', `/catalog/${dbf}`)).status).toBe(404);
    expect(await readFile(file, 'utf8')).not.toBe(before);
    expect(await readFile(file, 'utf8')).toBe(await readFile(meltanoFile, 'utf8'));
  });
});
