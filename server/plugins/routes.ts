import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.js';
import { notFound } from '../../core/errors.js';
import type { Operation } from '../openapi.js';
import * as catalog from '../../core/plugins/service.js';

export const catalogOperations: Operation[] = [
  { method: 'get', path: '/catalog', summary: 'Every connector type with its settings as JSON Schema', role: 'viewer', responses: { 200: 'The catalog' } },
  { method: 'get', path: '/catalog/{name}', summary: 'One connector type', role: 'viewer', responses: { 200: 'The plugin', 404: 'Not found' } },
];

export function catalogRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json({ data: (await catalog.listPlugins(deps.db)).map(catalog.presentPlugin) }))
    .get('/:name', async (c) => {
      const plugin = await catalog.getPlugin(deps.db, c.req.param('name'));
      if (!plugin) throw notFound('Connector type');
      return c.json(catalog.presentPlugin(plugin));
    });
}
