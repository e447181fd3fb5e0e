import { Hono } from 'hono';
import { z } from 'zod';
import { secretNamesOf } from '../../meltano/settings-schema.js';
import { actingFrom } from '../acting.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireRole } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { decodeCursor, page, pageQuery } from '../../core/pagination.js';
import * as catalog from '../../core/plugins/service.js';
import { AppError } from '../../core/errors.js';
import { startRun } from '../../core/runs/start-run.js';
import { parseBody, parseParam, parseQuery } from '../validation.js';
import * as connectors from '../../core/connectors/service.js';

const name = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const createBody = z.object({ name, plugin: z.string().min(1, 'is required'), config: z.record(z.string(), z.unknown()).default({}) }).strict();
const updateBody = z.object({ name: name.optional(), config: z.record(z.string(), z.unknown()).optional() }).strict();
const listQuery = pageQuery.extend({ status: z.enum(['inactive', 'active', 'error']).optional(), plugin: z.string().max(100).optional() });
const id = z.uuid();
const previewBody = z.object({ stream: z.string().min(1, 'must be a stream name from discovery').max(500, 'must be at most 500 characters'), limit: z.number().int().min(1).max(100).default(20) }).strict();

export const connectorOperations: Operation[] = [
  { method: 'get', path: '/connectors', summary: 'List connectors (newest first; filter by status or plugin)', role: 'viewer', query: listQuery, responses: { 200: 'A page of connectors' } },
  { method: 'post', path: '/connectors', summary: 'Create a connector; secrets are encrypted, never returned', role: 'admin', body: createBody, responses: { 201: 'Created', 409: 'Name taken' } },
  { method: 'get', path: '/connectors/{id}', summary: 'Show a connector (secrets masked)', role: 'viewer', responses: { 200: 'The connector', 404: 'Not found' } },
  {
    method: 'patch',
    path: '/connectors/{id}',
    summary: 'Change a connector: given settings replace, a secret left out is kept, null clears',
    role: 'admin',
    body: updateBody,
    responses: { 200: 'Updated', 404: 'Not found', 409: 'Name taken' },
  },
  { method: 'delete', path: '/connectors/{id}', summary: 'Delete a connector not used by any pipeline', role: 'admin', responses: { 204: 'Deleted', 404: 'Not found', 409: 'In use' } },
  { method: 'post', path: '/connectors/{id}/test', summary: 'Queue a staged connection test (settings, network, discovery, first record)', role: 'admin', responses: { 202: '{ run_id }', 404: 'Not found', 503: 'The job queue is not reachable; nothing was started' } },
  { method: 'post', path: '/connectors/{id}/discover', summary: "Queue discovery of the source's streams", role: 'admin', responses: { 202: '{ run_id }', 404: 'Not found', 503: 'The job queue is not reachable; nothing was started' } },
  { method: 'get', path: '/connectors/{id}/streams', summary: 'The streams found by the last discovery (or test): columns, key properties, replication methods, candidate replication keys (best first), sync modes with plain-words labels, and a default', role: 'viewer', responses: { 200: 'Streams', 404: 'Not found or not discovered yet' } },
  { method: 'post', path: '/connectors/{id}/preview', summary: 'Queue a preview: the first rows of one stream (in the run result)', role: 'admin', body: previewBody, responses: { 202: '{ run_id }', 404: 'Not found', 503: 'The job queue is not reachable; nothing was started' } },
];

export function connectorRoutes(deps: AppDeps) {
  const present = async (c: connectors.Connector) => {
    const plugin = await catalog.getPlugin(deps.db, c.pluginName);
    return connectors.presentConnector(c, plugin ? secretNamesOf(plugin.configSchema) : []);
  };
  // A page holds up to 200 connectors: their plugins' schemas come in one query, not one each.
  const presentPage = async (rows: connectors.Connector[]) => {
    const schemas = await catalog.configSchemasOf(deps.db, rows.map((r) => r.pluginName));
    return rows.map((c) => {
      const schema = schemas.get(c.pluginName);
      return connectors.presentConnector(c, schema ? secretNamesOf(schema) : []);
    });
  };
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const query = parseQuery(c, listQuery);
      const rows = await connectors.listConnectors(deps.db, c.get('principal').tenantId, { ...query, cursor: decodeCursor(query.cursor) });
      const result = page(rows, query.limit, (r) => ({ at: r.createdAt, id: r.id }));
      return c.json({ data: await presentPage(result.data), next_cursor: result.next_cursor });
    })
    .post('/', requireRole('admin'), async (c) => {
      const body = await parseBody(c, createBody);
      return c.json(await present(await connectors.createConnector(deps.db, deps.keyring, actingFrom(c), body)), 201);
    })
    .get('/:id', async (c) => {
      const connectorId = parseParam(c.req.param('id'), id, 'Connector');
      return c.json(await present(await connectors.getConnector(deps.db, c.get('principal').tenantId, connectorId)));
    })
    .patch('/:id', requireRole('admin'), async (c) => {
      const connector = await connectors.getConnector(deps.db, c.get('principal').tenantId, parseParam(c.req.param('id'), id, 'Connector'));
      const body = await parseBody(c, updateBody);
      return c.json(await present(await connectors.updateConnector(deps.db, deps.keyring, actingFrom(c), connector.id, body)));
    })
    .delete('/:id', requireRole('admin'), async (c) => {
      await connectors.deleteConnector(deps.db, actingFrom(c), parseParam(c.req.param('id'), id, 'Connector'));
      return c.body(null, 204);
    })
    .post('/:id/test', requireRole('admin'), async (c) => {
      const acting = actingFrom(c);
      const connector = await connectors.getConnector(deps.db, acting.tenantId, parseParam(c.req.param('id'), id, 'Connector'));
      const run = await startRun(deps.db, deps.queue, acting, { kind: 'test', trigger: 'manual', connectorId: connector.id });
      return c.json({ run_id: run.id }, 202);
    })
    .post('/:id/discover', requireRole('admin'), async (c) => {
      const acting = actingFrom(c);
      const connector = await connectors.getConnector(deps.db, acting.tenantId, parseParam(c.req.param('id'), id, 'Connector'));
      const run = await startRun(deps.db, deps.queue, acting, { kind: 'discover', trigger: 'manual', connectorId: connector.id });
      return c.json({ run_id: run.id }, 202);
    })
    .get('/:id/streams', async (c) => {
      const connector = await connectors.getConnector(deps.db, c.get('principal').tenantId, parseParam(c.req.param('id'), id, 'Connector'));
      const found = await connectors.discoveredStreams(deps.db, connector.id);
      if (!found) throw new AppError('not_found', 'This connector has not been discovered yet. Run a connection test or a discovery first.');
      return c.json({ discovered_at: found.discoveredAt.toISOString(), data: found.streams });
    })
    .post('/:id/preview', requireRole('admin'), async (c) => {
      const acting = actingFrom(c);
      const connector = await connectors.getConnector(deps.db, acting.tenantId, parseParam(c.req.param('id'), id, 'Connector'));
      const body = await parseBody(c, previewBody);
      await connectors.checkPreviewStream(deps.db, connector.id, body.stream);
      const run = await startRun(deps.db, deps.queue, acting, { kind: 'discover', trigger: 'manual', connectorId: connector.id, params: { preview: body } });
      return c.json({ run_id: run.id }, 202);
    });
}
