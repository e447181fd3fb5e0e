import type { Redis } from 'ioredis';

/**
 * A per-tenant cap on concurrent syncs, shared by every worker through Redis: a sorted set
 * of run ids scored by lease expiry. A worker that dies stops renewing, so its slot frees
 * itself when the lease runs out. The key's own expiry (two leases) is pushed back on every
 * acquire and renewal: set only when a member joined, it would drop the whole set while its
 * runs still renew, and let other runs past the cap.
 *
 * ARGV: now, lease end, run id, cap, key expiry (ms). Returns 1 when the run holds a slot.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

/**
 * Renews a slot the run holds: 1 renewed; 2 it was gone (lease or key expired, Redis lost
 * it) and has been taken again; 0 it was gone and the tenant's other runs fill the cap.
 */
const RENEW = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[3])
if held or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  if held then return 1 end
  return 2
end
return 0`;

const LEASE_MS = 60_000;

export type Renewal = 'renewed' | 'retaken' | 'lost';

export type TenantSlots = {
  /** How long a slot is held without renewal. */
  leaseMs: number;
  /** Takes a slot for the run, or says the tenant is at its cap. */
  acquire(tenantId: string, runId: string): Promise<boolean>;
  /** Extends the run's slot; says whether it was still held (see RENEW). */
  renew(tenantId: string, runId: string): Promise<Renewal>;
  release(tenantId: string, runId: string): Promise<void>;
};

/** `leaseMs` is for tests, which need a slot to expire within seconds. */
export function createTenantSlots(redis: Redis, prefix: string, cap: number, options: { leaseMs?: number } = {}): TenantSlots {
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const key = (tenantId: string) => `${prefix}:tenant-slots:${tenantId}`;
  const args = (runId: string) => {
    const now = Date.now();
    return [String(now), String(now + leaseMs), runId, String(cap), String(leaseMs * 2)];
  };
  return {
    leaseMs,
    async acquire(tenantId, runId) {
      return (await redis.eval(ACQUIRE, 1, key(tenantId), ...args(runId))) === 1;
    },
    async renew(tenantId, runId) {
      const answer = await redis.eval(RENEW, 1, key(tenantId), ...args(runId));
      return answer === 1 ? 'renewed' : answer === 2 ? 'retaken' : 'lost';
    },
    async release(tenantId, runId) {
      await redis.zrem(key(tenantId), runId);
    },
  };
}

/** Why a running sync's slot renewal went wrong: the slot was gone (taken again or not), or Redis did not answer. */
export type SlotTrouble = { renewal: Renewal } | { error: unknown };

/**
 * Keeps a slot's lease alive while a run goes on (three renewals per lease, so one missed
 * renewal loses nothing). A renewal that finds the slot gone, or fails, is reported to
 * `onTrouble`, never ignored. Returns the function that stops renewing.
 */
export function renewWhileRunning(slots: TenantSlots, tenantId: string, runId: string, onTrouble: (trouble: SlotTrouble) => void): () => void {
  const timer = setInterval(() => {
    slots.renew(tenantId, runId).then(
      (renewal) => renewal !== 'renewed' && onTrouble({ renewal }),
      (error: unknown) => onTrouble({ error }),
    );
  }, slots.leaseMs / 3);
  timer.unref();
  return () => clearInterval(timer);
}
