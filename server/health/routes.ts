import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.js';
import type { Operation } from '../openapi.js';

export const healthOperations: Operation[] = [{ method: 'get', path: '/health', summary: 'Liveness, with Postgres and Redis checks', role: 'public', responses: { 200: 'ok', 503: 'degraded' } }];

/** Liveness plus a quick look at the stores the API depends on. */
export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const check = async (fn: () => Promise<unknown>) => fn().then(() => 'ok' as const, () => 'down' as const);
    const [database, redis] = await Promise.all([check(() => deps.db.execute(sql`select 1`)), check(() => deps.redis.ping())]);
    const ok = database === 'ok' && redis === 'ok';
    return c.json({ status: ok ? 'ok' : 'degraded', checks: { database, redis } }, ok ? 200 : 503);
  });
}
