import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireRole } from '../middleware/auth.js';
import * as catalog from '../plugins/service.js';
import * as runs from '../runs/service.js';
import { parseBody, parseParam } from '../validation.js';
import { secretSettingNames } from '../../meltano/settings-schema.js';
import * as connectors from './service.js';

const createBody = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  plugin: z.string().min(1, 'is required'),
  config: z.record(z.string(), z.unknown()).default({}),
});

export function connectorRoutes(deps: AppDeps) {
  const present = async (c: connectors.Connector) => {
    const plugin = await catalog.getPlugin(deps.db, c.pluginName);
    return connectors.presentConnector(c, plugin ? secretSettingNames(catalog.pluginDefinitionOf(plugin)) : []);
  };
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const rows = await connectors.listConnectors(deps.db, c.get('principal').tenantId);
      return c.json({ data: await Promise.all(rows.map(present)) });
    })
    .post('/', requireRole('admin'), async (c) => {
      const body = await parseBody(c, createBody);
      const row = await connectors.createConnector(deps.db, deps.keyring, c.get('principal').tenantId, body);
      return c.json(await present(row), 201);
    })
    .get('/:id', async (c) => {
      const id = parseParam(c.req.param('id'), z.uuid(), 'Connector');
      return c.json(await present(await connectors.getConnector(deps.db, c.get('principal').tenantId, id)));
    })
    .post('/:id/test', requireRole('admin'), async (c) => {
      const id = parseParam(c.req.param('id'), z.uuid(), 'Connector');
      const { tenantId } = c.get('principal');
      const connector = await connectors.getConnector(deps.db, tenantId, id);
      const run = await runs.createRun(deps.db, deps.queue, { tenantId, kind: 'test', trigger: 'manual', connectorId: connector.id });
      return c.json({ run_id: run.id }, 202);
    });
}
