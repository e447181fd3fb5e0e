import type { Redis } from 'ioredis';

/**
 * A per-tenant cap on concurrent syncs, shared by every worker through Redis: a sorted set
 * of run ids scored by lease expiry. A worker that dies stops renewing, so its slot frees
 * itself when the lease runs out.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return 1
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

const LEASE_MS = 60_000;

export type TenantSlots = {
  /** Takes a slot for the run, or says the tenant is at its cap. Renew while running. */
  acquire(tenantId: string, runId: string): Promise<boolean>;
  release(tenantId: string, runId: string): Promise<void>;
};

export function createTenantSlots(redis: Redis, prefix: string, cap: number): TenantSlots {
  const key = (tenantId: string) => `${prefix}:tenant-slots:${tenantId}`;
  return {
    async acquire(tenantId, runId) {
      const now = Date.now();
      const taken = await redis.eval(ACQUIRE, 1, key(tenantId), String(now), String(now + LEASE_MS), runId, String(cap), String(LEASE_MS * 2));
      return taken === 1;
    },
    async release(tenantId, runId) {
      await redis.zrem(key(tenantId), runId);
    },
  };
}

/** Keeps a slot's lease alive while a run goes on; returns the function that stops renewing. */
export function renewWhileRunning(slots: TenantSlots, tenantId: string, runId: string): () => void {
  const timer = setInterval(() => void slots.acquire(tenantId, runId).catch(() => undefined), LEASE_MS / 3);
  timer.unref();
  return () => clearInterval(timer);
}
