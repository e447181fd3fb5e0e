import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { featuresOf, type ServerFeatures } from './column-types.js';
import { quoteIdent, quoteString } from './identifiers.js';
import type { TargetConfig } from './config.js';
import { rowsStream, type SealedRows } from './row-batch.js';
import { TENANT_COLUMN } from './table-plan.js';

/** The target's view of ClickHouse: DDL, column lookups, raw TabSeparated (and JSONEachRow) inserts, counts. */
export type Warehouse = Awaited<ReturnType<typeof connectWarehouse>>;

/**
 * Worth retrying: anything that is not ClickHouse refusing the query itself (network errors,
 * a proxy's 502/503 page), and the ClickHouse errors that pass: too many queries or parts,
 * timeouts, network trouble, a replica gone read-only.
 */
const TRANSIENT_CODES = new Set(['159', '202', '209', '210', '242', '252', '425']);
const isTransient = (error: unknown) => (error instanceof ClickHouseError ? TRANSIENT_CODES.has(error.code) : true);

export class InsertError extends Error {
  override name = 'InsertError';
  /** 1-based row of the batch ClickHouse names, when it does. */
  readonly row: number | undefined;
  constructor(message: string) {
    super(message);
    const match = /\(at row (\d+)\)/.exec(message);
    this.row = match ? Number(match[1]) : undefined;
  }
}

async function withRetry<T>(what: string, fn: () => Promise<T>, log: (line: string) => void, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      const text = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error);
      if (attempt >= attempts || !isTransient(error)) throw error;
      const wait = Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
      log(`WARNING ClickHouse ${what} failed (${text.trim().split('\n')[0]}); retrying in ${Math.round(wait)} ms (${attempt}/${attempts - 1})`);
      await sleep(wait);
    }
  }
}

async function drain(stream: Readable) {
  for await (const _ of stream) {
    // an INSERT answers with an empty body; reading it frees the connection
  }
}

/** First line of a ClickHouse error, without the server's stack trace. */
const shortError = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/, e\.what\(\) = .*$/, '').replace(/^Code: \d+, e\.displayText\(\) = DB::Exception: /, '');

export async function connectWarehouse(config: TargetConfig, log: (line: string) => void) {
  const client: ClickHouseClient = createClient({
    url: config.url,
    username: config.user,
    password: config.password,
    max_open_connections: 4,
    // Errors reach the user through our own messages, not the client's console logger.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const db = quoteIdent(config.database);
  const version = await withRetry(
    'version check',
    async () => {
      const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
      return ((await result.json<{ v: string }>())[0]?.v ?? '0') as string;
    },
    log,
  );
  const features: ServerFeatures = featuresOf(version);
  const select = async <T>(query: string) => (await withRetry('query', () => client.query({ query, format: 'JSONEachRow' }), log)).json<T>();
  let knownDatabaseEngine: string | undefined;
  const databaseEngine = async () =>
    (knownDatabaseEngine ??= (await select<{ engine: string }>(`SELECT engine FROM system.databases WHERE name = ${quoteString(config.database)}`))[0]?.engine ?? 'Ordinary');

  async function insertAs(query: string, rows: SealedRows, end: number) {
    try {
      await withRetry(
        'insert',
        async () => {
          const result = await client.exec({ query, values: rowsStream(rows, end), clickhouse_settings: { date_time_input_format: 'best_effort', input_format_skip_unknown_fields: 1 } });
          await drain(result.stream);
        },
        log,
      );
    } catch (error) {
      throw new InsertError(shortError(error));
    }
  }

  return {
    version,
    features,
    async ensureDatabase() {
      await withRetry('create database', () => client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` }), log);
    },
    async run(statement: string) {
      await withRetry('schema change', () => client.command({ query: statement }), log);
    },
    /** name → type of the table's columns (empty when the table does not exist). */
    async existingColumns(table: string) {
      // Old servers have no query parameters: names go in as escaped literals.
      const rows = await select<{ name: string; type: string }>(
        `SELECT name, type FROM system.columns WHERE database = ${quoteString(config.database)} AND table = ${quoteString(table)}`,
      );
      return new Map(rows.map((r) => [r.name, r.type]));
    },
    /**
     * Sends rows (TabSeparated bytes of the named columns, up to byte `end`); a retry re-sends
     * the same bytes. Columns left out get their DEFAULT.
     */
    async insert(table: string, columns: readonly string[], rows: SealedRows, end = rows.bytes) {
      await insertAs(`INSERT INTO ${db}.${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FORMAT TabSeparated`, rows, end);
    },
    /** Sends JSONEachRow rows (the rejects table's, made from objects). */
    async insertJson(table: string, rows: SealedRows) {
      await insertAs(`INSERT INTO ${db}.${quoteIdent(table)} FORMAT JSONEachRow`, rows, rows.bytes);
    },
    async deleteOlderVersions(table: string, version: number) {
      const target = `${db}.${quoteIdent(table)}`;
      await withRetry('delete', () => client.command({ query: `ALTER TABLE ${target} DELETE WHERE ${quoteIdent('_sdc_table_version')} < ${Math.trunc(version)}` }), log);
      // Mutations run in the background; wait so the next STATE really means "done".
      for (let waited = 0; waited < 600_000; waited += 200) {
        const [row] = await select<{ n: string }>(
          `SELECT count() AS n FROM system.mutations WHERE database = ${quoteString(config.database)} AND table = ${quoteString(table)} AND is_done = 0`,
        );
        if (Number(row?.n ?? 0) === 0) return;
        await sleep(200);
      }
      throw new Error(`ClickHouse did not finish removing old versions of ${table} within 10 minutes`);
    },
    /**
     * Rows of this run (by sequence range, and tenant in a table shared by tenants, whose other
     * runs' sequence ranges may overlap this one) now in the table, and their distinct keys.
     */
    async countRun(table: string, fromSeq: number, toSeq: number, keyColumns: string[], tenant?: string) {
      const keys = keyColumns.length > 0 ? `, uniqExact(${keyColumns.map(quoteIdent).join(', ')}) AS k` : '';
      const ofTenant = tenant === undefined ? '' : ` AND ${quoteIdent(TENANT_COLUMN)} = ${quoteString(tenant)}`;
      const [row] = await select<{ n: string; k?: string }>(
        `SELECT count() AS n${keys} FROM ${db}.${quoteIdent(table)} WHERE ${quoteIdent('_sdc_sequence')} BETWEEN ${fromSeq} AND ${toSeq}${ofTenant}`,
      );
      return { rows: Number(row?.n ?? 0), distinctKeys: row?.k === undefined ? undefined : Number(row.k) };
    },
    /** The table's engine (`MergeTree`, `ReplacingMergeTree` …); undefined when there is no such table. */
    async tableEngine(table: string) {
      const [row] = await select<{ engine: string }>(`SELECT engine FROM system.tables WHERE database = ${quoteString(config.database)} AND name = ${quoteString(table)}`);
      return row?.engine;
    },
    /** `Atomic` (the default from 20.x) can EXCHANGE TABLES and drops SYNC; 18.16 has only `Ordinary`. */
    databaseEngine,
    async dropTable(table: string) {
      // Atomic databases drop in the background minutes later unless told SYNC; free the disk now.
      const sync = (await databaseEngine()) === 'Atomic' ? ' SYNC' : '';
      await withRetry('drop table', () => client.command({ query: `DROP TABLE IF EXISTS ${db}.${quoteIdent(table)}${sync}` }), log);
    },
    /** Drops the tables whose names start with `prefix` and that were made more than `hours` ago. */
    async dropTablesOlderThan(prefix: string, hours: number) {
      const rows = await select<{ name: string }>(
        `SELECT name FROM system.tables WHERE database = ${quoteString(config.database)} AND substring(name, 1, ${Buffer.byteLength(prefix)}) = ${quoteString(prefix)} AND metadata_modification_time < now() - ${Math.trunc(hours * 3600)}`,
      );
      for (const row of rows) await this.dropTable(row.name);
    },
    /** Copies every row of one table into another with the same columns (no retry: a repeat would copy twice). */
    async copyRows(from: string, to: string) {
      await client.command({
        query: `INSERT INTO ${db}.${quoteIdent(to)} SELECT * FROM ${db}.${quoteIdent(from)}`,
        // Progress headers keep the connection busy, so a long copy outlives the idle timeout.
        clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' },
      });
    },
    close: () => client.close(),
  };
}
