import { Hono } from 'hono';
import { z } from 'zod';
import { actingFrom } from '../acting.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireRole } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { decodeCursor, page, pageQuery } from '../../core/pagination.js';
import { startRun } from '../../core/runs/start-run.js';
import { parseBody, parseOptionalBody, parseParam, parseQuery } from '../validation.js';
import * as pipelines from '../../core/pipelines/service.js';
import * as state from '../../core/pipelines/state.js';
import { AppError } from '../../core/errors.js';
import { replicationMethods, syncModes, untypedNumberChoices } from '../../core/pipelines/sync-modes.js';

const streamSchema = z
  .object({
    // Any name a source can have (checked against its discovery by the service, not by a character class).
    stream: z.string().min(1, 'must be a stream name from discovery').max(500, 'must be at most 500 characters'),
    // How the stream's table is filled; without it, replication_method alone says (as before sync modes).
    sync_mode: z.enum(syncModes, { error: `must be one of ${syncModes.join(', ')}` }).optional(),
    // Derived from sync_mode; sent only to read changes from the database's log (LOG_BASED), or by older clients.
    replication_method: z.enum(replicationMethods, { error: `must be one of ${replicationMethods.join(', ')}` }).optional(),
    replication_key: z.string().min(1).max(200).optional(),
  })
  .strict();

const fields = {
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  source_connector_id: z.uuid('must be a connector id'),
  destination_connector_id: z.uuid('must be a connector id').nullable().optional(),
  destination_database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be letters, digits and _').optional(),
  streams: z.array(streamSchema).min(1, 'pick at least one stream').max(1000),
  untyped_numbers: z
    .enum(untypedNumberChoices, { error: 'must be "float" (fast, about 15 significant digits) or "decimal" (exact up to 28 digits before and 10 after the point)' })
    .optional()
    .describe('How numbers the source gives no precision for are stored. float: fast, about 15 significant digits; decimal: exact up to 28 digits before and 10 after the point.'),
  schedule: z.object({ cron: z.string().min(1).max(100), timezone: z.string().min(1).max(64).default('UTC') }).strict().nullable().optional(),
  enabled: z.boolean().optional(),
};
const createBody = z.object(fields).strict();
const updateBody = z.object(fields).partial().strict();
const runBody = z.object({ full_refresh: z.boolean().optional() }).strict();
const rollbackBody = z.object({ state_id: z.number().int().positive() }).strict();
const stateBody = z.object({ state: z.unknown() }).strict();
const listQuery = pageQuery.extend({ enabled: z.enum(['true', 'false']).optional(), source_connector_id: z.uuid().optional() });
const id = z.uuid();

export const pipelineOperations: Operation[] = [
  { method: 'get', path: '/pipelines', summary: 'List pipelines (newest first; filter by enabled or source)', role: 'viewer', query: listQuery, responses: { 200: 'A page of pipelines' } },
  { method: 'post', path: '/pipelines', summary: 'Create a pipeline: source, destination, streams (each with its sync mode), how untyped numbers are stored, schedule', role: 'admin', body: createBody, responses: { 201: 'Created', 409: 'Name taken' } },
  { method: 'get', path: '/pipelines/{id}', summary: 'Show a pipeline with its next run times', role: 'viewer', responses: { 200: 'The pipeline', 404: 'Not found' } },
  { method: 'patch', path: '/pipelines/{id}', summary: 'Change a pipeline', role: 'admin', body: updateBody, responses: { 200: 'Updated', 404: 'Not found', 409: 'Name taken' } },
  { method: 'delete', path: '/pipelines/{id}', summary: 'Delete a pipeline (its runs stay in the history); refused while a sync of it is queued or running', role: 'admin', responses: { 204: 'Deleted', 404: 'Not found', 409: 'A sync is queued or running: cancel it first' } },
  { method: 'post', path: '/pipelines/{id}/runs', summary: 'Queue a sync run now ({ full_refresh: true } ignores the saved state)', role: 'admin', body: runBody, bodyOptional: true, responses: { 202: '{ run_id }', 404: 'Not found', 409: 'Already running', 503: 'The job queue is not reachable; nothing was started' } },
  { method: 'get', path: '/pipelines/{id}/state', summary: 'The Singer state after each sync, newest first, with what changed', role: 'viewer', query: pageQuery, responses: { 200: 'State history' } },
  { method: 'post', path: '/pipelines/{id}/state/rollback', summary: 'Roll back to the state after an earlier run (applied before the next sync)', role: 'admin', body: rollbackBody, responses: { 202: 'Pending', 404: 'Not found' } },
  { method: 'put', path: '/pipelines/{id}/state', summary: 'Replace the state with an edited one (validated; applied before the next sync)', role: 'admin', body: stateBody, responses: { 202: 'Pending', 404: 'Not found' } },
  { method: 'delete', path: '/pipelines/{id}/state', summary: 'Reset the state: the next sync reads everything again', role: 'admin', responses: { 202: 'Pending', 404: 'Not found' } },
];

export function pipelineRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const query = parseQuery(c, listQuery);
      const rows = await pipelines.listPipelines(deps.db, c.get('principal').tenantId, {
        limit: query.limit,
        cursor: decodeCursor(query.cursor),
        enabled: query.enabled === undefined ? undefined : query.enabled === 'true',
        source: query.source_connector_id,
      });
      const result = page(rows, query.limit, (r) => ({ at: r.createdAt, id: r.id }));
      return c.json({ data: result.data.map(pipelines.presentPipeline), next_cursor: result.next_cursor });
    })
    .post('/', requireRole('admin'), async (c) => {
      const body = await parseBody(c, createBody);
      return c.json(pipelines.presentPipeline(await pipelines.createPipeline(deps.db, deps.queue, actingFrom(c), body)), 201);
    })
    .get('/:id', async (c) => {
      const pipelineId = parseParam(c.req.param('id'), id, 'Pipeline');
      return c.json(pipelines.presentPipeline(await pipelines.getPipeline(deps.db, c.get('principal').tenantId, pipelineId)));
    })
    .patch('/:id', requireRole('admin'), async (c) => {
      const pipeline = await pipelines.getPipeline(deps.db, c.get('principal').tenantId, parseParam(c.req.param('id'), id, 'Pipeline'));
      const body = await parseBody(c, updateBody);
      return c.json(pipelines.presentPipeline(await pipelines.updatePipeline(deps.db, deps.queue, actingFrom(c), pipeline.id, body)));
    })
    .delete('/:id', requireRole('admin'), async (c) => {
      await pipelines.deletePipeline(deps.db, deps.queue, actingFrom(c), parseParam(c.req.param('id'), id, 'Pipeline'));
      return c.body(null, 204);
    })
    .post('/:id/runs', requireRole('admin'), async (c) => {
      const acting = actingFrom(c);
      const pipeline = await pipelines.getPipeline(deps.db, acting.tenantId, parseParam(c.req.param('id'), id, 'Pipeline'));
      const body = await parseOptionalBody(c, runBody);
      const run = await startRun(deps.db, deps.queue, acting, {
        kind: 'sync',
        trigger: 'manual',
        connectorId: pipeline.sourceConnectorId,
        pipelineId: pipeline.id,
        ...(body.full_refresh ? { params: { full_refresh: true } } : {}),
      });
      return c.json({ run_id: run.id }, 202);
    })
    .get('/:id/state', async (c) => {
      const pipelineId = parseParam(c.req.param('id'), id, 'Pipeline');
      const query = parseQuery(c, pageQuery);
      const before = query.cursor === undefined ? undefined : Number(query.cursor);
      if (before !== undefined && !Number.isSafeInteger(before)) throw new AppError('validation_failed', 'The cursor is not one this API gave out.', { cursor: ['is not a valid cursor'] });
      // one extra row, so the oldest on the page still shows what changed
      const rows = await state.stateHistory(deps.db, c.get('principal').tenantId, pipelineId, query.limit + 1, before);
      const shown = rows.slice(0, query.limit);
      return c.json({
        current: shown[0] ? state.presentState(shown[0], rows[1]) : null,
        data: shown.map((row, i) => state.presentState(row, rows[i + 1])),
        next_cursor: rows.length > query.limit ? String(shown.at(-1)!.id) : null,
      });
    })
    .post('/:id/state/rollback', requireRole('admin'), async (c) => {
      const acting = actingFrom(c);
      const pipeline = await pipelines.getPipeline(deps.db, acting.tenantId, parseParam(c.req.param('id'), id, 'Pipeline'));
      const body = await parseBody(c, rollbackBody);
      const row = await state.rollbackState(deps.db, acting, pipeline.id, body.state_id);
      return c.json(state.presentState(row, undefined), 202);
    })
    .put('/:id/state', requireRole('admin'), async (c) => {
      const acting = actingFrom(c);
      const pipeline = await pipelines.getPipeline(deps.db, acting.tenantId, parseParam(c.req.param('id'), id, 'Pipeline'));
      const body = await parseBody(c, stateBody);
      const row = await state.editState(deps.db, acting, pipeline.id, body.state);
      return c.json(state.presentState(row, undefined), 202);
    })
    .delete('/:id/state', requireRole('admin'), async (c) => {
      const row = await state.resetState(deps.db, actingFrom(c), parseParam(c.req.param('id'), id, 'Pipeline'));
      return c.json(state.presentState(row, undefined), 202);
    });
}
