import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { createRunQueue } from '../core/runs/queues.js';
import { createApp } from '../server/app.js';
import type { AppDeps } from '../server/deps.js';
import { loadEnv } from '../core/env.js';
import * as tenants from '../core/tenants/service.js';
import { testEnv } from './test-env.js';

export type Call = (token: string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any; headers: Headers }>;

/** The API over real Postgres and Redis, without listening and without a worker (runs stay queued). */
export async function createTestApp(options: Partial<Pick<AppDeps, 'trustProxy' | 'signInLimits' | 'maxLogStreamsPerTenant' | 'log' | 'webRoot' | 'meltanoFile'>> = {}) {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 4 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log: pino({ level: 'silent' }), queuePrefix: env.SLUICE_QUEUE_PREFIX, ...options });

  const call: Call = async (token, method, path, body, headers = {}) => {
    const res = await app.request(`/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
  };

  /** A fresh tenant with a token per role, and a platform admin's. */
  async function tenantWithTokens(prefix: string) {
    const tenant = await tenants.createTenant(db, `${prefix}-${randomBytes(3).toString('hex')}`);
    const token = async (role: tenants.Role) => (await tenants.createToken(db, tenant.id, role, role)).token;
    // `platform`: an owner token that may also change the shared connector catalog (made by the operator CLI in real life).
    const platform = (await tenants.createToken(db, tenant.id, 'platform', 'owner', undefined, { platformAdmin: true })).token;
    return { tenant, owner: await token('owner'), admin: await token('admin'), viewer: await token('viewer'), platform };
  }

  return {
    app,
    db,
    redis,
    env,
    queue,
    call,
    tenantWithTokens,
    async close() {
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
      await close();
    },
  };
}
