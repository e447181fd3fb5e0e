import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { notFound } from '../../core/errors.js';
import { requirePlatformAdmin } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { recordAudit } from '../../core/audit/service.js';
import * as catalog from '../../core/plugins/service.js';
import { registerPlugin, removePlugin, upgradePlugin, type Registration, type RegistrationInput } from '../../core/plugins/registration.js';
import { meltanoFile } from '../../meltano/project.js';
import { settingSchema } from '../../meltano/plugins.js';
import { parseBody, parseOptionalBody, parseParam } from '../validation.js';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const registerBody = z
  .object({
    name: z.string().max(60, 'must be at most 60 characters'),
    pip_url: z.string().max(200, 'must be at most 200 characters'),
    kind: z.enum(['extractor', 'loader']).optional(),
    executable: z.string().max(80).optional(),
    namespace: z.string().max(60).optional(),
    label: text(80).optional(),
    description: text(500).optional(),
    category: z.string().max(30).optional(),
    setup_guide: text(2000).optional(),
    logo_url: z.string().max(500).optional(),
    docs: z.string().max(500).optional(),
    capabilities: z.array(z.string().max(40)).max(30).optional(),
    settings: z.array(settingSchema).max(300).optional(),
    required: z.array(z.string().max(100)).max(300).optional(),
    file_settings: z.array(z.string().max(100)).max(50).optional(),
    hidden_settings: z.array(z.string().max(100)).max(100).optional(),
    secret_settings: z.array(z.string().max(100)).max(100).optional(),
    groups: z.array(z.array(z.string().max(100)).min(1).max(50)).max(10).optional(),
    setting_overrides: z.record(z.string().max(100), z.record(z.string(), z.unknown())).optional(),
  })
  .strict();
const upgradeBody = z.object({ pip_url: z.string().max(200).optional(), file_settings: z.array(z.string().max(100)).max(50).optional(), hidden_settings: z.array(z.string().max(100)).max(100).optional() }).strict();
const pluginName = z.string().regex(/^[a-z][a-z0-9-]{0,59}$/, 'must be a connector type name like tap-github');

export const catalogOperations: Operation[] = [
  { method: 'get', path: '/catalog', summary: 'Every connector type with its settings as JSON Schema', role: 'viewer', responses: { 200: 'The catalog' } },
  { method: 'get', path: '/catalog/{name}', summary: 'One connector type', role: 'viewer', responses: { 200: 'The plugin', 404: 'Not found' } },
  {
    method: 'post', path: '/catalog', role: 'platform_admin', body: registerBody,
    summary: 'Register a tap or target from PyPI: installed in a scratch venv, its settings read from the plugin itself (--about), meltano.yml and the catalog updated together',
    responses: { 201: 'Registered, with warnings about its capabilities', 409: 'Name taken' },
  },
  { method: 'post', path: '/catalog/{name}/upgrade', role: 'platform_admin', body: upgradeBody, bodyOptional: true, summary: 'Re-read a plugin at a new version (or the newest); reports settings that disappeared', responses: { 200: 'Upgraded', 404: 'Not found' } },
  { method: 'delete', path: '/catalog/{name}', role: 'platform_admin', summary: 'Remove a connector type (refused while connections use it)', responses: { 204: 'Removed', 404: 'Not found', 409: 'In use' } },
];

const presentRegistration = (r: Registration, row: catalog.Plugin | undefined) => ({
  plugin: row ? catalog.presentPlugin(row) : null,
  version: r.version,
  settings_from: r.settingsFrom,
  warnings: r.warnings,
  left_out: r.leftOut,
});

export function catalogRoutes(deps: AppDeps) {
  const registry = { db: deps.db, meltanoFile: deps.meltanoFile ?? meltanoFile };
  // Platform changes are recorded in the audit log of the workspace the admin acted from.
  const audit = (c: { get(key: 'principal'): AppEnv['Variables']['principal']; get(key: 'requestId'): string }, action: string, name: string, changes: Record<string, unknown>) =>
    recordAudit(deps.db, { tenantId: c.get('principal').tenantId, actor: c.get('principal').actor, action, resourceType: 'plugin', resourceId: name, changes, requestId: c.get('requestId') });
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json({ data: (await catalog.listPlugins(deps.db)).map(catalog.presentPlugin) }))
    .get('/:name', async (c) => {
      const plugin = await catalog.getPlugin(deps.db, c.req.param('name'));
      if (!plugin) throw notFound('Connector type');
      return c.json(catalog.presentPlugin(plugin));
    })
    .post('/', requirePlatformAdmin(), async (c) => {
      const body = await parseBody(c, registerBody);
      const input: RegistrationInput = {
        name: body.name, pipUrl: body.pip_url, kind: body.kind, executable: body.executable, namespace: body.namespace,
        label: body.label, description: body.description, category: body.category, setupGuide: body.setup_guide,
        logoUrl: body.logo_url, docs: body.docs, capabilities: body.capabilities, settings: body.settings, required: body.required,
        fileSettings: body.file_settings, hiddenSettings: body.hidden_settings, secretSettings: body.secret_settings,
        groups: body.groups, settingOverrides: body.setting_overrides as RegistrationInput['settingOverrides'],
      };
      const lines: string[] = [];
      const result = await registerPlugin(registry, input, (line) => void lines.push(line));
      await audit(c, 'plugin.register', body.name, { pip_url: result.plugin.pip_url, settings_from: result.settingsFrom });
      deps.log.info({ plugin: body.name, pipUrl: result.plugin.pip_url }, 'plugin registered');
      return c.json({ ...presentRegistration(result, await catalog.getPlugin(deps.db, body.name)), log: lines }, 201);
    })
    .post('/:name/upgrade', requirePlatformAdmin(), async (c) => {
      const name = parseParam(c.req.param('name'), pluginName, 'Connector type');
      const body = await parseOptionalBody(c, upgradeBody);
      const lines: string[] = [];
      const result = await upgradePlugin(registry, name, { pipUrl: body.pip_url, fileSettings: body.file_settings, hiddenSettings: body.hidden_settings }, (line) => void lines.push(line));
      await audit(c, 'plugin.upgrade', name, { pip_url: result.plugin.pip_url, removed_settings: result.removedSettings, added_settings: result.addedSettings });
      return c.json({
        ...presentRegistration(result, await catalog.getPlugin(deps.db, name)),
        removed_settings: result.removedSettings, added_settings: result.addedSettings, connectors_using_removed: result.connectorsUsingRemoved, log: lines,
      });
    })
    .delete('/:name', requirePlatformAdmin(), async (c) => {
      const name = parseParam(c.req.param('name'), pluginName, 'Connector type');
      await removePlugin(registry, name);
      await audit(c, 'plugin.remove', name, {});
      return c.body(null, 204);
    });
}
