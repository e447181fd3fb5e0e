import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { loadEnv } from '../core/env.js';
import { createRunQueue } from '../core/runs/queues.js';
import { runLogKey } from '../core/runs/run-log.js';
import * as tenants from '../core/tenants/service.js';
import { testEnv } from '../e2e/test-env.js';
import { createApp } from './app.js';

// Issue 8, finding 11: the run log over SSE ends when there is nothing left, validates resume
// ids, shares the process's Redis connection, and caps open streams per tenant.
describe('run log stream', async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 4 });
  const connectionName = `sse-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, connectionName });
  const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log: pino({ level: 'silent' }), queuePrefix: env.SLUICE_QUEUE_PREFIX, maxLogStreamsPerTenant: 3 });
  const tokens: Record<string, string> = {};
  const opened: Response[] = [];

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await res.json()) as Record<string, any>;
  };
  /** A run of the tenant with no worker: its log is whatever the test writes. */
  const newRun = async (tenant = 'a') => {
    const connector = await call(tokens[tenant]!, 'POST', '/connectors', { name: `c-${randomBytes(3).toString('hex')}`, plugin: 'tap-postgres', config: { host: 'h', port: 5432, user: 'u', password: 'p', database: 'd' } });
    return (await call(tokens[tenant]!, 'POST', `/connectors/${connector.id}/test`)).run_id as string;
  };
  const write = (runId: string, event: Record<string, unknown>) => redis.xadd(runLogKey(env.SLUICE_QUEUE_PREFIX, runId), '*', 'e', JSON.stringify({ at: new Date().toISOString(), ...event })) as Promise<string>;
  const open = (runId: string, tenant = 'a', headers: Record<string, string> = {}, query = '') => {
    return Promise.resolve(app.request(`/api/v1/runs/${runId}/logs${query}`, { headers: { authorization: `Bearer ${tokens[tenant]}`, ...headers } })).then((res: Response) => {
      opened.push(res);
      // what a closing browser tab does: the server sees the body cancelled
      return { res, stop: () => res.body?.cancel().catch(() => undefined) };
    });
  };
  /** Reads events until the stream ends or `ms` pass; `ended` says which. */
  async function read(res: Response, ms: number) {
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + ms;
    let ended = false;
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadline - Date.now()))]);
      if (chunk === 'timeout') break;
      if (chunk.done) {
        ended = true;
        break;
      }
      text += new TextDecoder().decode(chunk.value);
    }
    if (!ended) void reader.cancel();
    const events = text.split('\n\n').filter(Boolean).map((block) => Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])));
    return { events, ended };
  }
  const ourConnections = async () => ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes(`name=${connectionName}`)).length;

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c']) {
      const tenant = await tenants.createTenant(db, `sse-${name}-${randomBytes(3).toString('hex')}`);
      tokens[name] = (await tenants.createToken(db, tenant.id, 'owner', 'owner')).token;
    }
  });
  afterAll(async () => {
    for (const res of opened) await res.body?.cancel().catch(() => undefined);
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
    await close();
  });

  it('replays to the end, then a resume at or past the end ends at once with 204', async () => {
    const runId = await newRun();
    await write(runId, { type: 'log', level: 'info', message: 'one' });
    await write(runId, { type: 'log', level: 'info', message: 'two' });
    const endId = await write(runId, { type: 'end', status: 'succeeded' });
    const full = await read((await open(runId)).res, 5_000);
    expect(full.ended).toBe(true);
    expect(full.events.map((e) => e.event)).toEqual(['log', 'log', 'end']);
    expect(full.events.at(-1)!.id).toBe(endId);
    // what a browser does after `end`: reconnect with its id
    // 204, not an open stream: the client is told at once that there is nothing more
    const again = (await open(runId, 'a', { 'last-event-id': endId })).res;
    expect(again.status).toBe(204);
    const [ms] = endId.split('-');
    expect((await open(runId, 'a', {}, `?after=${Number(ms) + 60_000}-0`)).res.status).toBe(204);
    // resuming before the end still gets the rest
    const rest = await read((await open(runId, 'a', { 'last-event-id': full.events[0]!.id! })).res, 5_000);
    expect(rest.events.map((e) => (e.data && JSON.parse(e.data).message) ?? e.event)).toEqual(['two', 'end']);
  });

  it('ends a live stream whose resume id is past the end once the end is written', async () => {
    const runId = await newRun();
    await write(runId, { type: 'log', level: 'info', message: 'live' });
    const future = `${Date.now() + 3_600_000}-0`;
    const { res } = await open(runId, 'a', { 'last-event-id': future });
    expect(res.status).toBe(200);
    const reading = read(res, 5_000);
    await write(runId, { type: 'end', status: 'failed' });
    expect((await reading).ended).toBe(true);
  });

  it('refuses ids that are not stream ids, including parts above 2^64, with 400 naming the header', async () => {
    const runId = await newRun();
    for (const bad of ['abc', '18446744073709551616-0', '1-18446744073709551616', '99999999999999999999-0']) {
      const { res } = await open(runId, 'a', { 'last-event-id': bad });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual({ 'Last-Event-ID': ['is not a log event id'] });
    }
    const { res } = await open(runId, 'a', {}, '?after=18446744073709551616-0');
    expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual({ after: ['is not a log event id'] });
    const edge = await open(runId, 'a', { 'last-event-id': '18446744073709551615-18446744073709551615' });
    expect(edge.res.status).toBe(200);
    await edge.stop();
  });

  it('shares the Redis connection and caps open streams per tenant', async () => {
    const runId = await newRun('c');
    await write(runId, { type: 'log', level: 'info', message: 'tailing' });
    const before = await ourConnections();
    const streams = await Promise.all([open(runId, 'c'), open(runId, 'c'), open(runId, 'c')]);
    expect(streams.map((s) => s.res.status)).toEqual([200, 200, 200]);
    // each stream is reading (its first batch arrived) while we count connections named like ours
    await Promise.all(
      streams.map(async ({ res }) => {
        const reader = res.body!.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain('tailing');
        reader.releaseLock();
      }),
    );
    expect(await ourConnections()).toBe(before);
    const fourth = (await open(runId, 'c')).res;
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).toBe('5');
    // another tenant is not affected
    const other = await open(await newRun('b'), 'b');
    expect(other.res.status).toBe(200);
    await other.stop();
    // closing one frees its place
    await streams[0]!.stop();
    await expect.poll(async () => (await open(runId, 'c')).res.status, { timeout: 5_000, interval: 100 }).toBe(200);
  });
});
