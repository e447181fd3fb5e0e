import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How long a producer waits on Redis before saying it is not reachable. */
export const PRODUCER_TIMEOUT_MS = 5_000;

/**
 * A Redis connection for code that only adds to queues (the API; the reconciler): a command
 * fails at once while Redis is away (no offline queue), a command on a connection that went
 * quiet fails after `PRODUCER_TIMEOUT_MS`, and a command cut off mid-flight is retried once.
 * BullMQ workers need the opposite (`maxRetriesPerRequest: null`): their blocking reads must
 * wait for Redis, however long it takes.
 *
 * @example
 * const queues = createRunQueue(producerConnection(env.REDIS_URL), env.SLUICE_QUEUE_PREFIX);
 */
export function producerConnection(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: PRODUCER_TIMEOUT_MS,
    connectTimeout: PRODUCER_TIMEOUT_MS,
    // keep trying in the background, at most every 5 s, so the first request after an outage works
    retryStrategy: (times) => Math.min(times * 250, 5_000),
  });
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Whether an error says Redis could not be reached (as opposed to a command or script that failed). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return error.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable|Command timed out|connect ETIMEDOUT/.test(error.message);
}

/**
 * Logs each Redis outage once: the first connection error after the connection was fine is
 * logged with its cause, the retries that follow are not, and the next `ready` says it is
 * back. The client and every BullMQ queue passed in get an `error` listener, so none prints
 * an unhandled error to stderr. Returns the reporter, for a BullMQ worker's `error` event:
 * it takes connection errors (and returns true) and leaves other errors to the caller.
 *
 * @example
 * const outage = watchRedisOutages(log, 'queue', redis, ...queues.all);
 * worker.on('error', (err) => outage(err) || log.error({ err }, 'worker error'));
 */
export function watchRedisOutages(log: Logger, name: string, client: Redis, ...queues: EventEmitter[]): (error: unknown) => boolean {
  let down = false;
  const report = (error: unknown) => {
    if (!isConnectionError(error)) return false;
    if (!down) log.error({ err: error, connection: name }, 'Redis is not reachable; retrying in the background');
    down = true;
    return true;
  };
  const onError = (error: unknown) => {
    if (!report(error)) log.error({ err: error, connection: name }, 'Redis error');
  };
  client.on('error', onError);
  for (const queue of queues) queue.on('error', onError);
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ connection: name }, 'Redis is reachable again');
  });
  return report;
}
