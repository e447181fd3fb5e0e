import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../db/client.js';
import { keyringFrom } from '../../db/keyring.js';
import { connectors, runs } from '../../db/schema/index.js';
import { loadEnv } from '../../core/env.js';
import { createRunQueue } from '../../core/runs/queues.js';
import { runLogKey } from '../../core/runs/run-log.js';
import * as tenants from '../../core/tenants/service.js';
import { testEnv } from '../../e2e/test-env.js';
import { createApp } from '../app.js';

// Issue 9, defect 6: a log stream that fails is logged through pino (stack and cause), not
// printed by Hono on stderr, and the client is told in plain words.
describe('a run log stream that fails', async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const lines: Array<{ level: number; msg: string; run_id?: string; err?: { message: string; stack: string } }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log, queuePrefix: env.SLUICE_QUEUE_PREFIX });
  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await close();
  });

  it('logs the error with its stack and sends a plain error event', async () => {
    const tenant = await tenants.createTenant(db, `sse-err-${randomBytes(3).toString('hex')}`);
    const { token } = await tenants.createToken(db, tenant.id, 'viewer', 'viewer');
    const connectorId = (await db.insert(connectors).values({ tenantId: tenant.id, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
    const runId = (await db.insert(runs).values({ tenantId: tenant.id, connectorId, kind: 'test', trigger: 'manual', status: 'running' }).returning())[0]!.id;
    // The log key holds a string, not a stream: every read of it fails (WRONGTYPE), for real.
    await redis.set(runLogKey(env.SLUICE_QUEUE_PREFIX, runId), 'not a stream', 'EX', 60);
    const stderr = vi.spyOn(console, 'error');
    try {
      const res = await app.request(`/api/v1/runs/${runId}/logs`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toContain('event: error');
      expect(body).toContain('The live log stopped because Sluice could not read it just now. Reload the page');
      expect(body).not.toMatch(/WRONGTYPE/);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
    const logged = lines.find((l) => l.msg === 'log stream failed');
    expect(logged).toMatchObject({ level: 50, run_id: runId });
    expect(logged?.err?.message).toMatch(/WRONGTYPE/);
    expect(logged?.err?.stack).toMatch(/\n\s+at /);
  });
});
