import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors, plugins } from '../../db/schema/index.js';
import { createTestApp } from '../../e2e/test-app.js';
import { richConfig, richSchema } from '../../meltano/config-validation/rich-schema.fixture.js';

// Issue 12: configs are checked with a standard JSON Schema validator against the schemas real taps publish.
describe('connector configs against a rich settings schema', async () => {
  const t = await createTestApp();
  const suffix = randomBytes(3).toString('hex');
  // Plugins of this test's own, so no other test sees them in the catalog for long.
  const rich = `tap-rich-${suffix}`;
  const broken = `tap-broken-${suffix}`;
  const plugin = (name: string, configSchema: Record<string, unknown>) => ({
    name, kind: 'extractor' as const, namespace: name.replace(/-/g, '_'), executable: name, label: name, description: 'For a test.', category: 'Test', setupGuide: '',
    capabilities: [], settings: [], settingGroups: [], configSchema,
  });
  let tenant: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  const stored = async () => t.db.select().from(connectors).where(and(eq(connectors.tenantId, tenant.tenant.id), inArray(connectors.pluginName, [rich, broken])));

  beforeAll(async () => {
    tenant = await t.tenantWithTokens('rich-schema');
    await t.db.insert(plugins).values([plugin(rich, richSchema), plugin(broken, { type: 'object', properties: { port: { type: 'int' } } })]);
  });
  afterAll(async () => {
    await t.db.delete(connectors).where(inArray(connectors.pluginName, [rich, broken]));
    await t.db.delete(plugins).where(inArray(plugins.name, [rich, broken]));
    await t.close();
  });

  it('refuses a bad nested field with a 400 naming it, and stores nothing', async () => {
    const config = { ...richConfig, streams: [{ name: 'orders', path: 'o.csv' }, { path: 'c.csv', columns: [{ type: 'float' }] }], auth: { kind: 'oauth', client_id: 'id' } };
    const res = await t.call(tenant.admin, 'POST', '/connectors', { name: 'rich', plugin: rich, config });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: 'Some settings need attention.' });
    expect(res.body.error.fields).toEqual({
      'streams.1.name': ['Streams, item 2: Name is required'],
      'streams.1.columns.0.name': ['Streams, item 2, Columns, item 1: Column name is required'],
      'streams.1.columns.0.type': ['Streams, item 2, Columns, item 1: Type must be one of: int, text'],
      'auth.client_secret': ['Authentication: Client secret is required'],
    });
    expect(await stored()).toEqual([]);
    expect((await t.call(tenant.admin, 'GET', '/connectors')).body.data).toEqual([]);
  });

  it('accepts a good config, and refuses a PATCH that breaks a nested field, keeping what was stored', async () => {
    const created = await t.call(tenant.admin, 'POST', '/connectors', { name: 'rich ok', plugin: rich, config: richConfig });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const patched = await t.call(tenant.admin, 'PATCH', `/connectors/${created.body.id}`, { config: { ssh_tunnel: { host: 'bastion', port: 'twenty-two' }, auth: 'key' } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.fields).toEqual({ 'ssh_tunnel.port': ['SSH tunnel: Port must be a whole number'], auth: ['must match one of: API key, OAuth app'] });
    const [row] = await stored();
    expect(row!.config).toMatchObject({ ssh_tunnel: richConfig.ssh_tunnel, auth: richConfig.auth });
  });

  it('answers a plugin whose schema is malformed with a clear 400, not a 500, and stores nothing', async () => {
    const res = await t.call(tenant.admin, 'POST', '/connectors', { name: 'broken', plugin: broken, config: { port: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/cannot be used: "properties\.port\.type" must be a JSON type .* A platform admin must fix or register "tap-broken-\w+" again\./);
    expect(res.body.error.fields).toEqual({ plugin: ['has a settings description Sluice cannot use'] });
    expect((await stored()).filter((c) => c.pluginName === broken)).toEqual([]);
  });
});
