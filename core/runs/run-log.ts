import type { Redis } from 'ioredis';

/**
 * A run's log lives in a Redis stream while it is live: one entry per line (with level),
 * progress entries, and a final `end` entry carrying the run's status. Entry ids are the
 * SSE event ids, so a client resumes with Last-Event-ID.
 */
export type LogEvent =
  | { type: 'log'; level: string; message: string; plugin?: string; at: string; source_at?: string }
  /** `records`: read from the source so far; `rows_loaded` and `rows_per_second` (once the loader reports them): committed to the warehouse so far this run, and the recent rate. */
  | { type: 'progress'; stream: string; records: number; rows_loaded?: number; rows_per_second?: number; at: string }
  | { type: 'end'; status: string; at: string };

export type StoredEvent = { id: string; event: LogEvent };

export const runLogKey = (prefix: string, runId: string) => `${prefix}:run-log:${runId}`;

/** Live logs are a working copy; they expire a week after the run ends. */
const EXPIRE_SECONDS = 7 * 24 * 3600;
const MAX_ENTRIES = 200_000;
const MAX_BUFFERED_WHILE_AWAY = 50_000;

export type LogWriter = {
  write(event: LogEvent): void;
  flush(): Promise<void>;
  /** Writes what is left; resolves to the number of entries it could not write (Redis stayed away), for the caller to report. */
  close(): Promise<number>;
};

/**
 * Buffers entries and writes them in one pipelined round trip every `intervalMs`, so a
 * chatty tap costs Redis a few calls a second, not one per line.
 */
export function createLogWriter(redis: Redis, key: string, intervalMs = 50): LogWriter {
  let pending: LogEvent[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (pending.length === 0) return writing;
    const batch = pending;
    pending = [];
    writing = writing.then(async () => {
      const pipeline = redis.pipeline();
      for (const event of batch) pipeline.xadd(key, 'MAXLEN', '~', String(MAX_ENTRIES), '*', 'e', JSON.stringify(event));
      pipeline.expire(key, EXPIRE_SECONDS);
      try {
        const results = await pipeline.exec();
        if (results?.some(([error]) => error)) throw new Error('Redis refused part of the log batch');
      } catch {
        // Redis is away: keep the lines (up to a bound) and try again with the next flush.
        pending = [...batch, ...pending].slice(-MAX_BUFFERED_WHILE_AWAY);
      }
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    write: (event) => void pending.push(event),
    flush,
    async close() {
      clearInterval(timer);
      // a few more tries if Redis is coming back
      for (let i = 0; i < 20; i += 1) {
        await flush();
        if (pending.length === 0) return 0;
        await new Promise((r) => setTimeout(r, 250));
      }
      return pending.length;
    },
  };
}

type RawEntries = Array<[string, string[]]>;

function decode(entries: RawEntries): StoredEvent[] {
  return entries.map(([id, fields]) => ({ id, event: JSON.parse(fields[1] ?? '{}') as LogEvent }));
}

/**
 * Entries after `afterId` ('0-0' for all), without blocking: safe on a shared connection,
 * so any number of log streams share the process's one Redis connection.
 */
export async function readLogAfter(redis: Redis, key: string, afterId: string): Promise<StoredEvent[]> {
  const result = (await redis.xread('COUNT', 1000, 'STREAMS', key, afterId)) as Array<[string, RawEntries]> | null;
  return result?.[0] ? decode(result[0][1]) : [];
}

/** The newest entry of a log, if any. */
export async function lastLogEntry(redis: Redis, key: string): Promise<StoredEvent | undefined> {
  const entries = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as RawEntries;
  return decode(entries)[0];
}

const MAX_PART = (1n << 64n) - 1n;

/** A Redis stream id `<ms>-<seq>`, each part a 64-bit unsigned number (Redis refuses larger ones). */
export const isStreamId = (value: string) => {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(value);
  return match !== null && BigInt(match[1]!) <= MAX_PART && BigInt(match[2]!) <= MAX_PART;
};

/** Orders two stream ids (as Redis does: by time, then sequence). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map((part) => BigInt(part));
  const [bm = 0n, bs = 0n] = b.split('-').map((part) => BigInt(part));
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}
