import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadEnv } from '../core/env.js';
import { testEnv } from '../e2e/test-env.js';
import { createTenantSlots, renewWhileRunning, type SlotTrouble } from './tenant-slots.js';

describe('the per-tenant sync cap', async () => {
  const env = loadEnv(await testEnv());
  const redis = new Redis(env.REDIS_URL);
  // A short lease, so what takes a minute in production takes a fraction of a second here.
  const leaseMs = 600;
  const slots = createTenantSlots(redis, env.SLUICE_QUEUE_PREFIX, 1, { leaseMs });
  const key = (tenantId: string) => `${env.SLUICE_QUEUE_PREFIX}:tenant-slots:${tenantId}`;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  afterAll(() => redis.quit());

  it('holds the slot of a run that keeps renewing, for longer than the key would live without renewals', async () => {
    const tenant = randomUUID();
    const troubles: SlotTrouble[] = [];
    expect(await slots.acquire(tenant, 'run-a')).toBe(true);
    const stop = renewWhileRunning(slots, tenant, 'run-a', (t) => troubles.push(t));
    try {
      // The key lives two leases; renewals come three times a lease. Another run of the
      // tenant keeps asking, well past both: it must never get in beside run-a.
      // The key's time to live must stay near two leases (renewals push it back), never run down.
      const takenBy: number[] = [];
      let shortestTtl = Infinity;
      for (const until = Date.now() + leaseMs * 6; Date.now() < until; await sleep(5)) {
        shortestTtl = Math.min(shortestTtl, await redis.pttl(key(tenant)));
        if (await slots.acquire(tenant, 'run-b')) takenBy.push(Date.now());
      }
      expect(takenBy).toEqual([]);
      expect(shortestTtl).toBeGreaterThan(leaseMs);
      expect(troubles).toEqual([]);
    } finally {
      stop();
    }
  });

  it('reports a renewal that finds the slot gone, and takes it again when there is room', async () => {
    const tenant = randomUUID();
    const troubles: SlotTrouble[] = [];
    expect(await slots.acquire(tenant, 'run-a')).toBe(true);
    const stop = renewWhileRunning(slots, tenant, 'run-a', (t) => troubles.push(t));
    try {
      await redis.del(key(tenant));
      await vi.waitFor(() => expect(troubles).toContainEqual({ renewal: 'retaken' }), { timeout: leaseMs * 5 });
      expect(await slots.acquire(tenant, 'run-b')).toBe(false);
    } finally {
      stop();
    }
  });

  it('reports a slot another run took meanwhile as lost', async () => {
    const tenant = randomUUID();
    const troubles: SlotTrouble[] = [];
    expect(await slots.acquire(tenant, 'run-a')).toBe(true);
    const stop = renewWhileRunning(slots, tenant, 'run-a', (t) => troubles.push(t));
    try {
      await redis.del(key(tenant));
      expect(await slots.acquire(tenant, 'run-b')).toBe(true);
      await vi.waitFor(() => expect(troubles).toContainEqual({ renewal: 'lost' }), { timeout: leaseMs * 5 });
    } finally {
      stop();
    }
  });

  it('frees the slot of a run that stopped renewing (its worker died)', async () => {
    const tenant = randomUUID();
    expect(await slots.acquire(tenant, 'run-a')).toBe(true);
    expect(await slots.acquire(tenant, 'run-b')).toBe(false);
    await sleep(leaseMs + 50);
    expect(await slots.acquire(tenant, 'run-b')).toBe(true);
  });
});
