import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { requestCancel } from '../../core/runs/cancel.js';
import { readArchivedLog } from '../../core/runs/log-archive.js';
import { compareStreamIds, isStreamId, lastLogEntry, readLogAfter, runLogKey, type LogEvent, type StoredEvent } from '../../core/runs/run-log.js';
import { actingFrom } from '../acting.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { AppError } from '../../core/errors.js';
import { requireRole } from '../middleware/auth.js';
import { describeForLog } from '../middleware/on-error.js';
import type { Operation } from '../openapi.js';
import { dateTimeQuery, decodeCursor, page, pageQuery } from '../../core/pagination.js';
import { parseParam, parseQuery } from '../validation.js';
import * as runs from '../../core/runs/service.js';

// Streams poll the shared connection (non-blocking XREAD) instead of each holding a blocked
// connection of its own: a quarter second of latency for a constant number of connections.
const POLL_MS = 250;
const DEFAULT_MAX_STREAMS_PER_TENANT = 20;
const STREAM_FAILED = 'The live log stopped because Sluice could not read it just now. Reload the page to follow it again from where it stopped.';
const listQuery = pageQuery.extend({
  pipeline_id: z.uuid().optional(),
  connector_id: z.uuid().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  kind: z.enum(['test', 'discover', 'sync']).optional(),
  since: dateTimeQuery.optional(),
  until: dateTimeQuery.optional(),
});
const id = z.uuid();

export const runOperations: Operation[] = [
  { method: 'get', path: '/runs', summary: 'List runs, newest first; filter by pipeline, connector, status, kind and time', role: 'viewer', query: listQuery, responses: { 200: 'A page of runs' } },
  { method: 'get', path: '/runs/{id}', summary: 'Show a run: status, timings, record counts, error', role: 'viewer', responses: { 200: 'The run', 404: 'Not found' } },
  { method: 'post', path: '/runs/{id}/cancel', summary: 'Cancel a run: a queued one at once, a running one within seconds', role: 'admin', responses: { 202: 'Cancelling', 409: 'Already finished' } },
  { method: 'get', path: '/runs/{id}/log', summary: 'Download the whole log as text', role: 'viewer', responses: { 200: 'text/plain' } },
  {
    method: 'get',
    path: '/runs/{id}/logs',
    summary: 'The run log as Server-Sent Events: replays from Last-Event-ID (or ?after=), follows live, ends with an `end` event',
    role: 'viewer',
    query: z.object({ after: z.string().optional() }),
    responses: { 200: 'text/event-stream', 404: 'Not found' },
  },
];

/** The log as stored events: live from Redis while it is there, from the archive after. */
async function eventsAfter(deps: AppDeps, runId: string, after: string): Promise<StoredEvent[] | undefined> {
  const archived = await readArchivedLog(deps.db, runId);
  if (archived.length === 0) return undefined;
  return archived.filter((e) => compareStreamIds(e.id, after) > 0).map(({ id: eventId, ...event }) => ({ id: eventId, event: event as LogEvent }));
}

/** The log's last event, live or archived: an `end` at or before `resume` means there is nothing left to send. */
async function endsAtOrBefore(deps: AppDeps, runId: string, key: string, resume: string): Promise<boolean> {
  const live = await lastLogEntry(deps.redis, key);
  const archived = live ? undefined : (await readArchivedLog(deps.db, runId)).at(-1);
  const last = live ? { id: live.id, type: live.event.type } : archived;
  return last !== undefined && last.type === 'end' && compareStreamIds(last.id, resume) <= 0;
}

const pause = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/** One Server-Sent Event, as text (the data is JSON: it never holds a newline). */
const sseText = ({ id: eventId, event }: StoredEvent) => `id: ${eventId}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

const lineOf = (e: LogEvent) =>
  e.type === 'log' ? `${e.at} ${e.level.toUpperCase().padEnd(7)} ${e.plugin ? `[${e.plugin}] ` : ''}${e.message}` : e.type === 'progress' ? `${e.at} PROGRESS ${e.stream}: ${e.records} records read${e.rows_loaded === undefined ? '' : `, ${e.rows_loaded} rows loaded${e.rows_per_second === undefined ? '' : ` (${e.rows_per_second} rows/s)`}`}` : `${e.at} END     ${e.status}`;

export function runRoutes(deps: AppDeps) {
  // Open log streams per tenant, in this process: one tenant cannot hold them all.
  const openStreams = new Map<string, number>();
  const maxStreams = deps.maxLogStreamsPerTenant ?? DEFAULT_MAX_STREAMS_PER_TENANT;
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const query = parseQuery(c, listQuery);
      const rows = await runs.listRuns(deps.db, c.get('principal').tenantId, {
        limit: query.limit,
        cursor: decodeCursor(query.cursor),
        pipelineId: query.pipeline_id,
        connectorId: query.connector_id,
        status: query.status,
        kind: query.kind,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
      });
      const result = page(rows, query.limit, (r) => ({ at: r.queuedAt, id: r.id }));
      return c.json({ data: result.data.map(runs.presentRun), next_cursor: result.next_cursor });
    })
    .get('/:id', async (c) => c.json(runs.presentRun(await runs.getRun(deps.db, c.get('principal').tenantId, parseParam(c.req.param('id'), id, 'Run')))))
    .post('/:id/cancel', requireRole('admin'), async (c) => {
      const run = await runs.cancelRun(deps.db, deps.queue, actingFrom(c), parseParam(c.req.param('id'), id, 'Run'), (runId) => requestCancel(deps.redis, deps.queuePrefix, runId));
      return c.json(runs.presentRun(run), 202);
    })
    .get('/:id/log', async (c) => {
      const run = await runs.getRun(deps.db, c.get('principal').tenantId, parseParam(c.req.param('id'), id, 'Run'));
      const archived = await eventsAfter(deps, run.id, '0-0');
      const events = archived ?? (await deps.redis.xrange(runLogKey(deps.queuePrefix, run.id), '-', '+')).map(([, fields]) => ({ event: JSON.parse(fields[1] ?? '{}') as LogEvent }));
      c.header('content-disposition', `attachment; filename="run-${run.id}.log"`);
      return c.text(`${events.map((e) => lineOf(e.event)).join('\n')}\n`);
    })
    .get('/:id/logs', async (c) => {
      const runId = parseParam(c.req.param('id'), id, 'Run');
      const tenantId = c.get('principal').tenantId;
      await runs.getRun(deps.db, tenantId, runId);
      const header = c.req.header('last-event-id');
      const resume = header ?? c.req.query('after');
      if (resume !== undefined && !isStreamId(resume)) {
        const field = header !== undefined ? 'Last-Event-ID' : 'after';
        throw new AppError('validation_failed', `${field} must be an event id from this log, like 1700000000000-0.`, { [field]: ['is not a log event id'] });
      }
      const key = runLogKey(deps.queuePrefix, runId);
      // A browser reconnects after `end` with its id: 204 is what tells EventSource to stop.
      if (resume !== undefined && (await endsAtOrBefore(deps, runId, key, resume))) return c.body(null, 204);
      const open = openStreams.get(tenantId) ?? 0;
      if (open >= maxStreams) {
        throw new AppError('too_many_requests', `Your organisation already follows ${open} logs at once. Close some log views and try again.`, undefined, 5);
      }
      openStreams.set(tenantId, open + 1);
      const release = () => {
        const left = (openStreams.get(tenantId) ?? 1) - 1;
        if (left > 0) openStreams.set(tenantId, left);
        else openStreams.delete(tenantId);
      };
      return streamSSE(c, async (stream) => {
        const sleeper: { wake?: () => void } = {};
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          sleeper.wake?.();
        });
        let after = resume ?? '0-0';
        try {
          while (!closed) {
            const entries = await readLogAfter(deps.redis, key, after);
            if (entries.length > 0) {
              // One write per batch read, not per line: ten clients tailing a chatty sync stay cheap.
              const end = entries.findIndex((e) => e.event.type === 'end');
              const batch = end === -1 ? entries : entries.slice(0, end + 1);
              await stream.write(batch.map(sseText).join(''));
              after = batch.at(-1)!.id;
              if (end !== -1) return;
              continue;
            }
            // Nothing after `after`. If the log's last entry is its end, that end is at or before
            // `after`: the client has it (or resumed past it), so stop instead of waiting forever.
            const last = await lastLogEntry(deps.redis, key);
            if (last?.event.type === 'end') return;
            if (!last) {
              const run = await runs.getRun(deps.db, tenantId, runId);
              if (runs.isFinished(run.status)) {
                // The live copy has expired: replay the archive, then end with the final status.
                for (const { id: eventId, event } of (await eventsAfter(deps, runId, after)) ?? []) {
                  await stream.writeSSE({ id: eventId, event: event.type, data: JSON.stringify(event) });
                  if (event.type === 'end') return;
                }
                await stream.writeSSE({ event: 'end', data: JSON.stringify({ type: 'end', status: run.status, at: new Date().toISOString() }) });
                return;
              }
            }
            await pause(POLL_MS, sleeper);
          }
        } catch (error) {
          // A client that left is not an error; anything else is logged here (not by Hono, on stderr)
          // and the client is told in plain words, without the internals.
          if (closed) return;
          deps.log.error({ ...describeForLog(error), run_id: runId, request_id: c.get('requestId') }, 'log stream failed');
          await stream.writeSSE({ event: 'error', data: JSON.stringify({ message: STREAM_FAILED }) }).catch(() => undefined);
        } finally {
          release();
        }
      });
    });
}
