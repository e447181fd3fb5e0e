import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { featuresOf, type Column, type ServerFeatures } from './column-types.js';
import { quoteIdent } from './identifiers.js';
import type { TargetConfig } from './config.js';

/** The target's view of ClickHouse: DDL, column lookups and raw JSONEachRow inserts. */
export type Warehouse = {
  features: ServerFeatures;
  version: string;
  ensureDatabase(): Promise<void>;
  existingColumns(table: string): Promise<Map<string, string>>;
  createTable(table: string, columns: Column[], keys: string[]): Promise<void>;
  addColumn(table: string, column: Column): Promise<void>;
  insertRows(table: string, rows: string[]): Promise<void>;
  close(): Promise<void>;
};

const TRANSIENT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|Timeout|5\d\d/;

async function withRetry<T>(what: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      const message = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error);
      if (attempt >= attempts || !TRANSIENT.test(message)) throw error;
      process.stderr.write(`WARNING ClickHouse ${what} failed (${message.trim()}); retry ${attempt} of ${attempts - 1}\n`);
      await sleep(Math.min(8_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

async function drain(stream: Readable) {
  for await (const _ of stream) {
    // the INSERT answer is empty; reading it releases the socket
  }
}

export async function connectWarehouse(config: TargetConfig): Promise<Warehouse> {
  const client: ClickHouseClient = createClient({ url: config.url, username: config.user, password: config.password});
  const db = quoteIdent(config.database);
  const version = await withRetry('version check', async () => {
    const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const [row] = await result.json<{ v: string }>();
    return row?.v ?? '0';
  });
  const features = featuresOf(version);
  const columnDef = (c: Column) => `${quoteIdent(c.name)} ${c.nullable ? `Nullable(${c.type})` : c.type}`;

  return {
    features,
    version,
    ensureDatabase: () => withRetry('create database', () => client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` })).then(() => undefined),
    async existingColumns(table) {
      // Old servers have no query parameters: the names go in as escaped string literals.
      const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      const result = await withRetry('column lookup', () =>
        client.query({ query: `SELECT name, type FROM system.columns WHERE database = ${literal(config.database)} AND table = ${literal(table)}`, format: 'JSONEachRow' }),
      );
      const rows = await result.json<{ name: string; type: string }>();
      return new Map(rows.map((r) => [r.name, r.type]));
    },
    async createTable(table, columns, keys) {
      const engine = keys.length > 0 ? `ReplacingMergeTree(${quoteIdent('_sdc_sequence')}) ORDER BY (${keys.map(quoteIdent).join(', ')})` : 'MergeTree ORDER BY tuple()';
      const query = `CREATE TABLE IF NOT EXISTS ${db}.${quoteIdent(table)} (${columns.map(columnDef).join(', ')}) ENGINE = ${engine}`;
      await withRetry('create table', () => client.command({ query }));
    },
    async addColumn(table, column) {
      await withRetry('add column', () => client.command({ query: `ALTER TABLE ${db}.${quoteIdent(table)} ADD COLUMN ${columnDef(column)}` }));
    },
    async insertRows(table, rows) {
      await withRetry('insert', async () => {
        const result = await client.exec({
          query: `INSERT INTO ${db}.${quoteIdent(table)} FORMAT JSONEachRow`,
          values: Readable.from([rows.join('\n')]),
          clickhouse_settings: { date_time_input_format: 'best_effort', input_format_skip_unknown_fields: 1 },
        });
        await drain(result.stream);
      });
    },
    close: () => client.close(),
  };
}
