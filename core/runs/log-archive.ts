import { asc, eq, lt } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client.js';
import { runLogs } from '../../db/schema/index.js';
import type { LogEvent } from './run-log.js';

const CHUNK_LINES = 2_000;

/** Copies a finished run's live log from Redis into Postgres, in chunks of JSON lines with their event ids. */
export async function archiveRunLog(redis: Redis, db: Db, key: string, runId: string): Promise<number> {
  let after = '-';
  let chunk = 0;
  let total = 0;
  await db.delete(runLogs).where(eq(runLogs.runId, runId));
  for (;;) {
    const entries = (await redis.xrange(key, after === '-' ? '-' : `(${after}`, '+', 'COUNT', CHUNK_LINES)) as Array<[string, string[]]>;
    if (entries.length === 0) break;
    const lines = entries.map(([id, fields]) => JSON.stringify({ id, ...(JSON.parse(fields[1] ?? '{}') as LogEvent) })).join('\n');
    await db.insert(runLogs).values({ runId, chunk, lines });
    chunk += 1;
    total += entries.length;
    after = entries.at(-1)![0];
    if (entries.length < CHUNK_LINES) break;
  }
  return total;
}

/** The archived log as stored events (with their ids), oldest first. */
export async function readArchivedLog(db: Db, runId: string): Promise<Array<{ id: string } & LogEvent>> {
  const rows = await db.select({ lines: runLogs.lines }).from(runLogs).where(eq(runLogs.runId, runId)).orderBy(asc(runLogs.chunk));
  return rows.flatMap((r) => r.lines.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string } & LogEvent));
}

/** Drops archived logs older than the retention period. */
export async function deleteOldLogs(db: Db, retentionDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
  const deleted = await db.delete(runLogs).where(lt(runLogs.createdAt, cutoff)).returning({ runId: runLogs.runId });
  return deleted.length;
}
