import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { openProducerQueues } from '../core/runs/queues.js';
import { projectRoot } from '../meltano/project.js';
import { createApp } from '../server/app.js';
import { loadEnv } from '../core/env.js';
import * as tenants from '../core/tenants/service.js';
import { dataDir } from '../scripts/local-env.js';
import { testEnv } from './test-env.js';

/**
 * A whole Sluice for one test: the API listening on a random port, `workers` worker
 * processes on the test's own queue, and a fresh tenant with an owner token.
 * Worker output goes to .data/test-logs/<prefix>-worker-N.log (`workerLogFiles`); the API's
 * log lines are kept in memory (`apiLog()`). `logLevel` sets LOG_LEVEL for the workers.
 * Connectors may reach the sources' PostgreSQL (SLUICE_SOURCE_DATABASE_URL) and, locally,
 * nothing else but the `allowNetworks` a test names (SLUICE_ALLOWED_SOURCE_NETWORKS entries).
 */
export async function startStack(options: { workers?: number; logLevel?: string; env?: Record<string, string>; allowNetworks?: string[]; web?: boolean } = {}) {
  const childEnv = await testEnv({ ...(options.logLevel === undefined ? {} : { LOG_LEVEL: options.logLevel }), ...options.env }, options.allowNetworks);
  const env = loadEnv(childEnv);
  const { db, close } = createDb(env.DATABASE_URL, { max: 4 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // a test may stop its Redis on purpose
  // The API's log lines are kept for tests to read; warnings and errors still show as before.
  const apiLines: string[] = [];
  const apiLogDestination = {
    write(line: string) {
      apiLines.push(line);
      if ((JSON.parse(line) as { level: number }).level >= 40) process.stdout.write(line);
    },
  };
  const log = pino({ level: 'info' }, apiLogDestination);
  // As server/main.ts: the run queues on a connection of their own that fails fast, outages logged once.
  const queue = openProducerQueues(env.REDIS_URL, env.SLUICE_QUEUE_PREFIX, log, { syncRetryDelayMs: env.SYNC_RETRY_DELAY_SECONDS * 1000 });
  const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log, queuePrefix: env.SLUICE_QUEUE_PREFIX, meltanoFile: env.SLUICE_MELTANO_FILE, ...(options.web ? { webRoot: path.join(projectRoot, 'web', 'dist') } : {}) });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log.info({ url: baseUrl }, 'api listening');

  const logDir = path.join(dataDir, 'test-logs');
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  const workerLogFiles = Array.from({ length: options.workers ?? 1 }, (_, i) => path.join(logDir, `${env.SLUICE_QUEUE_PREFIX}-worker-${i}.log`));
  const spawnWorker = (file: string) => {
    const worker = execa('node', ['--import', 'tsx', 'jobs/main.ts'], { cwd: projectRoot, env: childEnv, extendEnv: false, reject: false, all: true });
    worker.all.pipe(createWriteStream(file));
    return worker;
  };
  const workers = workerLogFiles.map(spawnWorker);
  /** Starts one more worker process (e.g. to replace one a test killed). */
  const addWorker = () => {
    const file = path.join(logDir, `${env.SLUICE_QUEUE_PREFIX}-worker-${workerLogFiles.length}.log`);
    workerLogFiles.push(file);
    const worker = spawnWorker(file);
    workers.push(worker);
    return worker;
  };

  const slug = `t-${randomBytes(4).toString('hex')}`;
  const tenant = await tenants.createTenant(db, slug);
  const { token } = await tenants.createToken(db, tenant.id, 'test owner', 'owner');

  return {
    baseUrl,
    token,
    tenant,
    db,
    env,
    workers,
    addWorker,
    queue,
    workerLogFiles,
    /** Everything the API logged so far (pino JSON lines, level info and up). */
    apiLog: () => apiLines.join(''),
    /** Cuts every open HTTP connection (SSE streams included) and keeps listening: a flaky network, as a browser sees it. */
    dropConnections: () => (server as unknown as import('node:http').Server).closeAllConnections(),
    /** Calls the API as the tenant's owner; returns status and parsed JSON body. */
    api: apiAs(baseUrl, token),
    /** Calls the API with another bearer token (another tenant's, a lower role's), or none. */
    apiAs: (other: string | undefined) => apiAs(baseUrl, other),
    async stop() {
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.allSettled(workers);
      server.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await redis.quit();
      await close();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** An API caller with one bearer token (or none): returns status and parsed JSON body. */
export function apiAs(baseUrl: string, token: string | undefined) {
  return async <T = Record<string, unknown>>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${baseUrl}/api/v1${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** Polls a run until it is finished. */
export async function waitForRun(stack: Stack, runId: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await stack.api<{ status: string; [key: string]: unknown }>('GET', `/runs/${runId}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export type SseEvent = { id?: string; event: string; data: string };

/** Reads a Server-Sent Events response until an `end` event (or the stream closes). */
export async function readSse(url: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const events: SseEvent[] = [];
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    return { status: response.status, contentType: response.headers.get('content-type'), events };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let split: number;
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      const event: SseEvent = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        const [field, ...rest] = line.split(':');
        const value = rest.join(':').replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') event.data += value;
      }
      events.push(event);
      if (event.event === 'end') return { status: response.status, contentType: response.headers.get('content-type'), events };
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events };
}
