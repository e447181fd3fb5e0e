import { randomBytes } from 'node:crypto';
import type { TargetConfig } from './config.js';
import { MessageError } from './messages.js';
import { engineName, modeFor, SyncModeError, type SyncMode } from './sync-modes.js';
import { planTable, type TablePlan } from './table-plan.js';
import { ABANDONED_AFTER_HOURS, rebuildWithEngine, stagingName, stagingPrefix, swapIn } from './table-swap.js';
import type { Warehouse } from './warehouse.js';

/**
 * A stream's table for one run, by its sync mode. Overwrite loads into a staging table and
 * swaps it in once the stream is complete; until then STATEs after its SCHEMA wait, so a
 * failed run is simply run again. Append and deduped load straight into the table, first
 * rebuilding it when it was made for another mode.
 */
export type StreamTable = {
  mode: SyncMode;
  /** The table readers query. */
  table: string;
  /** Where this run's rows go: the table itself, or its staging copy until the swap. */
  loadTable: string;
  /** While an overwrite is not swapped in: STATEs from this sequence on wait for the swap. */
  holdFrom: number | undefined;
};

type Context = { config: TargetConfig; warehouse: Warehouse; log: (line: string) => void };

/**
 * Readies the table for a SCHEMA (the stream's first in this run when `previous` is
 * undefined) and plans its columns.
 */
export async function openStreamTable(
  { config, warehouse, log }: Context,
  // `sequence` is above every STATE received so far and at most the stream's first record's.
  input: { stream: string; table: string; properties: Record<string, unknown>; required?: readonly string[]; keyProperties: string[]; previous: StreamTable | undefined; sequence: number; line: number },
): Promise<{ target: StreamTable; plan: TablePlan }> {
  const keyed = input.keyProperties.length > 0;
  let mode: SyncMode;
  try {
    mode = modeFor(config.stream_modes, input.stream, keyed);
  } catch (error) {
    if (error instanceof SyncModeError) throw new MessageError(input.line, error.message, input.stream);
    throw error;
  }
  if (mode === 'overwrite' && config.tenant_id !== undefined) {
    // The swap replaces the whole table, other tenants' rows included.
    throw new MessageError(input.line, 'overwrite replaces the whole table, and this database is shared by tenants (tenant_id is set). Choose "append" or "deduped" for this stream, or give the tenant its own database.', input.stream);
  }
  const target: StreamTable = input.previous ?? {
    mode,
    table: input.table,
    loadTable: mode === 'overwrite' ? stagingName(input.table, randomBytes(4).toString('hex')) : input.table,
    holdFrom: mode === 'overwrite' ? input.sequence : undefined,
  };
  // Staging tables left by failed or killed runs hold partial copies; another run may be loading into its own right now.
  if (!input.previous && mode === 'overwrite') await warehouse.dropTablesOlderThan(stagingPrefix(input.table), ABANDONED_AFTER_HOURS);

  const existing = await warehouse.existingColumns(target.loadTable);
  const plan = planTable({ stream: input.stream, table: target.loadTable, database: config.database, properties: input.properties, required: input.required, keyProperties: input.keyProperties, existing, features: warehouse.features, tenantId: config.tenant_id, mode, untypedNumbers: config.untyped_numbers });
  for (const statement of plan.statements) await warehouse.run(statement);

  if (mode !== 'overwrite' && existing.size > 0) {
    const engine = await warehouse.tableEngine(target.table);
    const wanted = engineName(mode, keyed);
    if (engine !== undefined && engine !== wanted) {
      if (config.tenant_id !== undefined) {
        // Another tenant may be loading into it: rows it inserted during the copy would be lost.
        throw new MessageError(input.line, `its table ${target.table} is a ${engine}, made for another sync mode, and this database is shared by tenants, so it cannot be rebuilt during one tenant's run. Keep the stream's previous mode, or give the tenant its own database.`, input.stream);
      }
      log(`INFO stream "${input.stream}": its table ${target.table} is a ${engine} but sync mode "${mode}" needs a ${wanted}; rebuilding it with its rows`);
      await rebuildWithEngine(warehouse, config.database, target.table, plan.engine);
    }
  }
  return { target, plan };
}

/**
 * Called when a stream's rows are all committed (its ACTIVATE_VERSION, or the end of the
 * input): an overwrite's staging table becomes the table. Later rows of the stream, if any,
 * go straight into it.
 */
export async function completeStreamTable({ config, warehouse }: Context, target: StreamTable) {
  if (target.holdFrom === undefined) return;
  await swapIn(warehouse, config.database, target.loadTable, target.table);
  target.loadTable = target.table;
  target.holdFrom = undefined;
}

/** A failed run's overwrite: its staging table is dropped and the table readers query stays as it was. */
export async function discardStreamTable({ warehouse }: Context, target: StreamTable) {
  if (target.holdFrom === undefined) return;
  await warehouse.dropTable(target.loadTable);
}
