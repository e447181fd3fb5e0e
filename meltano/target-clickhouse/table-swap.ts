import { randomBytes } from 'node:crypto';
import { quoteIdent } from './identifiers.js';
import type { Warehouse } from './warehouse.js';

/**
 * Replacing a whole table without readers ever seeing half of one: the new rows are loaded
 * into a table beside it, which then takes its name in a single statement.
 */
type Tables = Pick<Warehouse, 'run' | 'tableEngine' | 'databaseEngine' | 'dropTable' | 'copyRows'>;

/**
 * Where an overwrite run loads before its swap: a name no stream table gets (tables never
 * end in `__sluice_…` by chance), with a token of the run's own, so two runs overwriting one
 * table at once (two pipelines, a retry beside a late attempt) never share a staging table.
 */
export const stagingPrefix = (table: string) => `${table}__sluice_load_`;
export const stagingName = (table: string, token: string) => stagingPrefix(table) + token;
const runToken = () => randomBytes(4).toString('hex');
const oldName = (table: string) => `${table}__sluice_old_${runToken()}`;
const rebuildName = (table: string) => `${table}__sluice_rebuild_${runToken()}`;

/** Staging tables of runs that died before their swap are dropped once surely abandoned (no sync runs this long). */
export const ABANDONED_AFTER_HOURS = 48;

/**
 * Puts `fresh` in the place of `table` and drops what was there. Atomic databases (20.x+)
 * exchange the two in one step; elsewhere (18.16's Ordinary databases, filesystems without
 * renameat2) both renames go in one RENAME statement, which ClickHouse applies under one
 * lock, so a query sees the old table or the new one, never neither. No table yet: a rename.
 *
 * @example
 * await swapIn(warehouse, database, 'orders__sluice_load', 'orders')
 */
export async function swapIn(warehouse: Tables, database: string, fresh: string, table: string) {
  const name = (t: string) => `${quoteIdent(database)}.${quoteIdent(t)}`;
  if ((await warehouse.tableEngine(table)) === undefined) {
    const renamed = await warehouse.run(`RENAME TABLE ${name(fresh)} TO ${name(table)}`).then(
      () => true,
      () => false, // another run made the table meanwhile: replace it as below
    );
    if (renamed) return;
  }
  if ((await warehouse.databaseEngine()) === 'Atomic') {
    const exchanged = await warehouse.run(`EXCHANGE TABLES ${name(fresh)} AND ${name(table)}`).then(
      () => true,
      () => false, // not supported here: fall back to the double rename
    );
    if (exchanged) {
      await warehouse.dropTable(fresh);
      return;
    }
  }
  const old = oldName(table);
  await warehouse.run(`RENAME TABLE ${name(table)} TO ${name(old)}, ${name(fresh)} TO ${name(table)}`);
  await warehouse.dropTable(old);
}

/**
 * Gives an existing table another engine, keeping its rows: a copy with the new engine is
 * filled from it and swapped in. Used when a stream's sync mode changed since the last run.
 */
export async function rebuildWithEngine(warehouse: Tables, database: string, table: string, engine: string) {
  const next = rebuildName(table);
  await warehouse.run(`CREATE TABLE ${quoteIdent(database)}.${quoteIdent(next)} AS ${quoteIdent(database)}.${quoteIdent(table)} ${engine}`);
  await warehouse.copyRows(table, next);
  await swapIn(warehouse, database, next, table);
}
