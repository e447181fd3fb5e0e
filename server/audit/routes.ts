import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireRole } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { dateTimeQuery, pageQuery } from '../../core/pagination.js';
import { parseQuery } from '../validation.js';
import { AppError } from '../../core/errors.js';
import * as audit from '../../core/audit/service.js';

// Actions are dotted lower-case words (`connector.create`, `pipeline.state_reset`); resource types one such word.
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const WORD = /^[a-z][a-z0-9_]*$/;

const listQuery = pageQuery.extend({
  action: z.string().max(100, 'must be at most 100 characters').regex(ACTION, 'must be an action name like connector.create').optional().describe('Only this action, e.g. connector.create'),
  resource_type: z.string().max(50, 'must be at most 50 characters').regex(WORD, 'must be a resource type like connector, pipeline, run, token, member or invitation').optional().describe('Only events about this kind of resource'),
  resource_id: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional().describe('Only events about this one resource'),
  actor: z.string().trim().min(1, 'must not be empty').max(320, 'must be at most 320 characters').optional().describe('Only events by someone whose label contains this text, any case (an email, or token "name")'),
  since: dateTimeQuery.optional().describe('Only events at or after this date-time'),
  until: dateTimeQuery.optional().describe('Only events at or before this date-time'),
});

export const auditOperations: Operation[] = [
  { method: 'get', path: '/audit', summary: 'The audit log, newest first (owners and admins); filter by action, resource, who and time', role: 'admin', query: listQuery, responses: { 200: 'A page of events', 400: 'A query parameter is not valid (named in error.fields)' } },
];

export function auditRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', requireRole('admin'), async (c) => {
    const query = parseQuery(c, listQuery);
    // Audit ids only grow, so the cursor is simply the last id shown.
    const before = query.cursor === undefined ? undefined : Number(query.cursor);
    if (before !== undefined && !(/^[0-9]+$/.test(query.cursor!) && Number.isSafeInteger(before) && before > 0)) throw new AppError('validation_failed', 'The cursor is not one this API gave out.', { cursor: ['is not a valid cursor'] });
    const since = query.since === undefined ? undefined : new Date(query.since);
    const until = query.until === undefined ? undefined : new Date(query.until);
    if (since && until && since.getTime() > until.getTime()) throw new AppError('validation_failed', 'Some query parameters need attention.', { until: ['must not be before since'] });
    const rows = await audit.listAudit(deps.db, c.get('principal').tenantId, {
      limit: query.limit,
      beforeId: before,
      action: query.action,
      resourceType: query.resource_type,
      resourceId: query.resource_id,
      actor: query.actor,
      since,
      until,
    });
    const data = rows.slice(0, query.limit);
    return c.json({ data: data.map(audit.presentAudit), next_cursor: rows.length > query.limit ? String(data.at(-1)!.id) : null });
  });
}
