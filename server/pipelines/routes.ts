import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireRole } from '../middleware/auth.js';
import * as runs from '../runs/service.js';
import { parseBody, parseParam } from '../validation.js';
import * as pipelines from './service.js';

const streamSchema = z.object({
  stream: z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be a stream name from discovery (letters, digits, _ . -)'),
  replication_method: z.enum(['FULL_TABLE', 'INCREMENTAL']).default('FULL_TABLE'),
  replication_key: z.string().min(1).max(200).optional(),
});

const createBody = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  source_connector_id: z.uuid('must be a connector id'),
  destination_database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be letters, digits and _').optional(),
  streams: z.array(streamSchema).min(1, 'pick at least one stream').max(1000),
});

export function pipelineRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const rows = await pipelines.listPipelines(deps.db, c.get('principal').tenantId);
      return c.json({ data: rows.map(pipelines.presentPipeline) });
    })
    .post('/', requireRole('admin'), async (c) => {
      const body = await parseBody(c, createBody);
      const { tenantId, tenantSlug } = c.get('principal');
      const row = await pipelines.createPipeline(deps.db, { id: tenantId, slug: tenantSlug }, body);
      return c.json(pipelines.presentPipeline(row), 201);
    })
    .get('/:id', async (c) => {
      const id = parseParam(c.req.param('id'), z.uuid(), 'Pipeline');
      return c.json(pipelines.presentPipeline(await pipelines.getPipeline(deps.db, c.get('principal').tenantId, id)));
    })
    .post('/:id/runs', requireRole('admin'), async (c) => {
      const id = parseParam(c.req.param('id'), z.uuid(), 'Pipeline');
      const { tenantId } = c.get('principal');
      const pipeline = await pipelines.getPipeline(deps.db, tenantId, id);
      const run = await runs.createRun(deps.db, deps.queue, { tenantId, kind: 'sync', trigger: 'manual', connectorId: pipeline.sourceConnectorId, pipelineId: pipeline.id });
      return c.json({ run_id: run.id }, 202);
    });
}
