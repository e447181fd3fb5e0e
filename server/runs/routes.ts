import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { isStreamId, readLogAfter, runLogKey } from '../../jobs/run-log.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { AppError } from '../errors.js';
import type { Operation } from '../openapi.js';
import { parseParam } from '../validation.js';
import * as runs from './service.js';

const WAIT_MS = 2_000;

export const runOperations: Operation[] = [
  { method: 'get', path: '/runs/{id}', summary: 'Show a run: status, timings, record counts, error', role: 'viewer', responses: { 200: 'The run', 404: 'Not found' } },
  {
    method: 'get',
    path: '/runs/{id}/logs',
    summary: 'The run log as Server-Sent Events: replays from Last-Event-ID (or ?after=), follows live, ends with an `end` event',
    role: 'viewer',
    query: z.object({ after: z.string().optional() }),
    responses: { 200: 'text/event-stream', 404: 'Not found' },
  },
];

export function runRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/:id', async (c) => {
      const id = parseParam(c.req.param('id'), z.uuid(), 'Run');
      return c.json(runs.presentRun(await runs.getRun(deps.db, c.get('principal').tenantId, id)));
    })
    .get('/:id/logs', async (c) => {
      const id = parseParam(c.req.param('id'), z.uuid(), 'Run');
      const tenantId = c.get('principal').tenantId;
      await runs.getRun(deps.db, tenantId, id);
      const resume = c.req.header('last-event-id') ?? c.req.query('after');
      if (resume !== undefined && !isStreamId(resume)) {
        throw new AppError('validation_failed', 'Last-Event-ID must be an event id from this log, like 1700000000000-0.', { 'Last-Event-ID': ['is not a log event id'] });
      }
      const key = runLogKey(deps.queuePrefix, id);
      return streamSSE(c, async (stream) => {
        // XREAD BLOCK holds its connection: each client tails on its own.
        const reader = deps.redis.duplicate();
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          reader.disconnect();
        });
        let after = resume ?? '0-0';
        try {
          while (!closed) {
            const entries = await readLogAfter(reader, key, after, WAIT_MS);
            for (const { id: eventId, event } of entries) {
              await stream.writeSSE({ id: eventId, event: event.type, data: JSON.stringify(event) });
              after = eventId;
              if (event.type === 'end') return;
            }
            if (entries.length === 0) {
              // No end marker but the run is over (logs expired, or its worker died): say so and stop.
              const run = await runs.getRun(deps.db, tenantId, id);
              if (runs.isFinished(run.status) && (await deps.redis.exists(key)) === 0) {
                await stream.writeSSE({ event: 'end', data: JSON.stringify({ type: 'end', status: run.status, at: new Date().toISOString() }) });
                return;
              }
            }
          }
        } catch (error) {
          if (!closed) throw error;
        } finally {
          reader.disconnect();
        }
      });
    });
}
