import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';

/**
 * Password checks cost an scrypt hash each, and a password can be guessed: both are limited.
 * Counters live in Redis so every API process shares them. An account locks for the rest of
 * its window after `accountFailures` wrong passwords; an address may try `addressAttempts`
 * times per window whatever the outcome (the CPU lever).
 */
export type SignInLimits = { windowSeconds: number; accountFailures: number; addressAttempts: number };
export const defaultSignInLimits: SignInLimits = { windowSeconds: 15 * 60, accountFailures: 5, addressAttempts: 50 };

export type SignInLimiter = {
  /** Counts this attempt from `address` and refuses (429) when the account or the address is over its limit. */
  attempt(email: string, address: string): Promise<void>;
  failed(email: string): Promise<void>;
  succeeded(email: string): Promise<void>;
};

// Keys hold a hash, not the email or address: Redis is no place for personal data.
const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * @example
 * const limiter = createSignInLimiter(redis, 'sluice');
 * await limiter.attempt(email, address); // throws too_many_requests with retryAfterSeconds
 */
export function createSignInLimiter(redis: Redis, prefix: string, limits: SignInLimits = defaultSignInLimits): SignInLimiter {
  const accountKey = (email: string) => `${prefix}:sign-in:account:${digest(email.trim().toLowerCase())}`;
  const addressKey = (address: string) => `${prefix}:sign-in:address:${digest(address)}`;
  const refuse = (ttl: number, who: string) =>
    new AppError('too_many_requests', `Too many sign-in attempts ${who}. Wait ${Math.ceil(Math.max(ttl, 1) / 60)} minute(s) and try again.`, undefined, Math.max(ttl, 1));
  // SET NX EX then INCR: the window starts with the first attempt and is never extended.
  const bump = async (key: string) => {
    const results = await redis.multi().set(key, 0, 'EX', limits.windowSeconds, 'NX').incr(key).ttl(key).exec();
    return { count: Number(results?.[1]?.[1] ?? 0), ttl: Number(results?.[2]?.[1] ?? limits.windowSeconds) };
  };
  return {
    async attempt(email, address) {
      // The API's connection queues commands while Redis is away: refuse now rather than hang, and never skip the limit.
      if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end') throw new AppError('unavailable', 'Signing in is briefly unavailable. Try again in a minute.');
      const address_ = await bump(addressKey(address));
      if (address_.count > limits.addressAttempts) throw refuse(address_.ttl, 'from your network');
      const [failures, ttl] = await redis.multi().get(accountKey(email)).ttl(accountKey(email)).exec().then((r) => [Number(r?.[0]?.[1] ?? 0), Number(r?.[1]?.[1] ?? 0)]);
      if (failures! >= limits.accountFailures) throw refuse(ttl!, 'for this account');
    },
    async failed(email) {
      await bump(accountKey(email));
    },
    async succeeded(email) {
      await redis.del(accountKey(email));
    },
  };
}
