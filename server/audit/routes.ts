import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.js';
import { requireRole } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { pageQuery } from '../../core/pagination.js';
import { parseQuery } from '../validation.js';
import { AppError } from '../../core/errors.js';
import * as audit from '../../core/audit/service.js';

const listQuery = pageQuery;

export const auditOperations: Operation[] = [
  { method: 'get', path: '/audit', summary: 'The audit log, newest first (owners and admins)', role: 'admin', query: listQuery, responses: { 200: 'A page of events' } },
];

export function auditRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', requireRole('admin'), async (c) => {
    const query = parseQuery(c, listQuery);
    // Audit ids only grow, so the cursor is simply the last id shown.
    const before = query.cursor === undefined ? undefined : Number(query.cursor);
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) throw new AppError('validation_failed', 'The cursor is not one this API gave out.', { cursor: ['is not a valid cursor'] });
    const rows = await audit.listAudit(deps.db, c.get('principal').tenantId, query.limit, before);
    const data = rows.slice(0, query.limit);
    return c.json({ data: data.map(audit.presentAudit), next_cursor: rows.length > query.limit ? String(data.at(-1)!.id) : null });
  });
}
