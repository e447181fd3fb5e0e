import postgres from 'postgres';
import { AppError } from '../core/errors.js';
import { lsnText, lsnValue } from './log-based.js';

/**
 * A pipeline's replication slot on its PostgreSQL source: made before a LOG_BASED sync, told
 * after it what the warehouse has committed, dropped with the pipeline. The connection options
 * are the connector's own (the worker has already checked the address is allowed); the login
 * needs the REPLICATION attribute (or superuser), as the tap's replication connection does.
 */
export type SourceConnection = {
  host: string;
  port: number;
  user: string;
  password?: string | undefined;
  database: string;
  ssl?: postgres.Options<Record<string, never>>['ssl'];
};

const SLOT_CREATE_TIMEOUT_MS = 60_000;

async function withSource<T>(source: SourceConnection, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  // statement_timeout: creating a slot waits for every transaction open at that moment to end.
  const connection = { application_name: 'sluice', statement_timeout: SLOT_CREATE_TIMEOUT_MS };
  const { host, port, user, password, database, ssl } = source;
  const sql = postgres({
    host, port, user, database, max: 1, idle_timeout: 1, connect_timeout: 15, connection, onnotice: () => {},
    ...(password !== undefined && { password }), ...(ssl !== undefined && { ssl }),
  });
  try {
    return await work(sql);
  } catch (error) {
    throw explainSlotError(error);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

type SlotRow = { exists: boolean; plugin: string | null; database: string | null; confirmed: string | null };

async function slotRow(sql: postgres.Sql, slot: string): Promise<SlotRow> {
  const [row] = await sql<SlotRow[]>`select true as exists, plugin, database, confirmed_flush_lsn::text as confirmed from pg_replication_slots where slot_name = ${slot}`;
  return row ?? { exists: false, plugin: null, database: null, confirmed: null };
}

export type SlotReadiness = {
  /** The slot was made now: the database's changes are kept from this moment on. */
  created: boolean;
  /**
   * Set when changes since the last committed position may be missing (the slot is new but the
   * pipeline had a position, or the slot was moved past it by a run that failed): sync these
   * streams from a fresh copy (state without their bookmarks). The reason is for the run log.
   */
  recopy?: string | undefined;
};

/**
 * Makes sure the pipeline's slot exists before a sync and says whether the log can be trusted
 * from `committed` on (the position in the pipeline's stored state; undefined on the first run).
 *
 * @example
 * const ready = await prepareSlot(source, replicationSlotName(pipeline.id), committedLsn(state, streams));
 * if (ready.recopy) state = withoutBookmarks(state, streams);
 */
export async function prepareSlot(source: SourceConnection, slot: string, committed: bigint | undefined): Promise<SlotReadiness> {
  return withSource(source, async (sql) => {
    const found = await slotRow(sql, slot);
    if (found.exists && (found.plugin !== 'wal2json' || found.database !== source.database)) {
      throw new AppError('conflict', `The source already has a replication slot named "${slot}" for ${found.plugin} on database "${found.database}". Drop it on the source (SELECT pg_drop_replication_slot('${slot}')) and sync again.`);
    }
    if (!found.exists) {
      await sql`select pg_create_logical_replication_slot(${slot}, 'wal2json')`;
      return { created: true, recopy: committed === undefined ? undefined : 'the database\'s change log was not being kept for this pipeline (its replication slot was missing), so its tables are copied again in full' };
    }
    if (committed !== undefined && found.confirmed !== null && lsnValue(found.confirmed) > committed) {
      return { created: false, recopy: `the change log has moved past what the warehouse holds (${found.confirmed} > ${lsnText(committed)}, after a sync that failed or a restored state), so the tables are copied again in full` };
    }
    return { created: false };
  });
}

/**
 * Tells the slot that every change up to `committed` is in the warehouse, so the source may
 * free that log. tap-postgres 0.10.0 does not do it reliably (its last confirmation is never
 * sent), which would make the source keep its log forever and every run re-read it all. Call
 * after a sync whose state was stored. A position behind the slot's is left alone.
 */
export async function confirmCommitted(source: SourceConnection, slot: string, committed: bigint): Promise<void> {
  await withSource(source, async (sql) => {
    await sql`select pg_replication_slot_advance(slot_name, ${lsnText(committed)}::pg_lsn) from pg_replication_slots
      where slot_name = ${slot} and confirmed_flush_lsn < ${lsnText(committed)}::pg_lsn`;
  });
}

/** Drops the pipeline's slot (pipeline deleted, or no LOG_BASED stream left); a missing slot is fine. True when there was one. */
export async function dropSlot(source: SourceConnection, slot: string): Promise<boolean> {
  return withSource(source, async (sql) => {
    const dropped = await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot}`;
    return dropped.length > 0;
  });
}

/** The log the source keeps for a slot, in bytes: what a forgotten slot costs its disk. */
export async function retainedBytes(source: SourceConnection, slot: string): Promise<number | undefined> {
  return withSource(source, async (sql) => {
    const [row] = await sql<{ bytes: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text as bytes from pg_replication_slots where slot_name = ${slot}`;
    return row ? Number(row.bytes) : undefined;
  });
}

/**
 * What went wrong with log-based reading, in words a user can act on; from a PostgreSQL error
 * message or a tap's log, which carry the same server messages. Undefined for anything else.
 */
export function explainLogBasedFailure(text: string): string | undefined {
  return ruleFor(text)?.explain();
}

/** As explainLogBasedFailure, and whether trying again later may pass (no free slot, a slot busy, a long transaction). */
export function logBasedFailure(text: string): { message: string; transient: boolean } | undefined {
  const rule = ruleFor(text);
  return rule && { message: rule.explain(), transient: rule.code !== 'bad_request' };
}

const ruleFor = (text: string) => RULES.find((r) => r.pattern.test(text));

/** `code`: bad_request is the source's setup (an administrator fixes it); the others pass. */
const RULES: Array<{ pattern: RegExp; code: 'bad_request' | 'conflict' | 'unavailable'; explain: () => string }> = [
  {
    pattern: /logical decoding requires "?wal_level"? >= "?logical"?|wal_level must be set to "logical"/,
    code: 'bad_request',
    explain: () => 'The source database does not keep a change log that Sluice can read (its setting wal_level is not "logical"). Ask its administrator to set wal_level = logical and restart it, or use incremental or full refresh.',
  },
  {
    pattern: /could not access file "wal2json"|could not load library "[^"]*wal2json/,
    code: 'bad_request',
    explain: () => 'The source database server does not have the wal2json plugin installed, which Sluice needs to read its change log. Ask its administrator to install it (on Debian/Ubuntu: the postgresql-<version>-wal2json package), or use incremental or full refresh.',
  },
  {
    pattern: /library "wal2json" may not be used as an output plugin/,
    code: 'bad_request',
    explain: () => 'The source database server does not allow the wal2json plugin, which Sluice needs to read its change log. Ask its administrator to add wal2json to its setting output_plugin_libraries and reload it.',
  },
  {
    pattern: /permission denied to (?:use|create) replication slots|must be superuser or replication role|must be superuser or have the REPLICATION|Only roles with the REPLICATION attribute/,
    code: 'bad_request',
    explain: () => 'The database user may not read the change log: it needs the REPLICATION attribute. Ask the administrator to run ALTER ROLE <user> REPLICATION, or use incremental or full refresh.',
  },
  {
    pattern: /all replication slots are in use|number of requested standby connections exceeds max_wal_senders/,
    code: 'unavailable',
    explain: () => 'The source database has no free change-log reader left (max_replication_slots / max_wal_senders reached). Ask its administrator to raise them, or delete unused pipelines that read its change log.',
  },
  {
    pattern: /replication slot "([^"]+)" is active for PID/,
    code: 'conflict',
    explain: () => 'Another sync of this pipeline is still reading the source\'s change log. Try again when it has finished.',
  },
  {
    pattern: /replication slot "([^"]+)" does not exist/,
    code: 'bad_request',
    explain: () => 'The source no longer has this pipeline\'s change-log slot (it was dropped on the server). Sync again: Sluice makes a new one and copies the tables in full.',
  },
  {
    pattern: /logical decoding cannot be used while in recovery|cannot execute .* during recovery/,
    code: 'bad_request',
    explain: () => 'The source is a read-only standby, whose change log cannot be read on PostgreSQL before 16. Point the connector at the primary server, or use incremental or full refresh.',
  },
  {
    pattern: /could not parse value "[^"]*" for parameter "add-tables"/,
    code: 'bad_request',
    explain: () => 'A selected table has a name the change log reader cannot take (a space or characters beyond plain ASCII). Use incremental or full refresh for it.',
  },
  {
    pattern: /canceling statement due to statement timeout/,
    code: 'unavailable',
    explain: () => 'Starting to keep the change log waited more than a minute for a long-running transaction on the source to end. Try again when it has finished.',
  },
];

function explainSlotError(error: unknown): unknown {
  const text = error instanceof Error ? `${error.message}\n${(error as { detail?: string }).detail ?? ''}` : String(error);
  const rule = ruleFor(text);
  return rule ? Object.assign(new AppError(rule.code, rule.explain()), { cause: error }) : error;
}
