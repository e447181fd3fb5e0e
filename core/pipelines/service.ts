import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { connectors, pipelines, runs, type SelectedStream, type UntypedNumbers } from '../../db/schema/index.js';
import type { Acting } from '../acting.js';
import { diff, recordAudit } from '../audit/service.js';
import { AppError, notFound } from '../errors.js';
import type { Cursor } from '../pagination.js';
import * as catalog from '../plugins/service.js';
import { enqueueSlotDrop, QueueUnavailable, removeSchedule, upsertSchedule, type RunQueues } from '../runs/queues.js';
import { replicationSlotName } from '../../meltano/log-based.js';
import { LOG_BASED_LABEL, LOG_BASED_PLUGIN } from '../../meltano/log-based-source.js';
import { defaultDestinationDatabase, destinationDatabaseErrors } from './destination-database.js';
import { nextRuns, scheduleErrors, type Schedule } from './schedule.js';
import { lastDiscovery } from './last-discovery.js';
import { resolveStreams, type StreamInput } from './stream-selection.js';

export { defaultDestinationDatabase, destinationDatabaseErrors } from './destination-database.js';

export type Pipeline = typeof pipelines.$inferSelect;
export type PipelineInput = {
  name: string;
  source_connector_id: string;
  destination_connector_id?: string | null | undefined;
  destination_database?: string | undefined;
  streams: StreamInput[];
  /** How numbers the source gives no precision for are stored: 'float' (the default) or 'decimal'. */
  untyped_numbers?: UntypedNumbers | undefined;
  schedule?: Schedule | null | undefined;
  enabled?: boolean | undefined;
};

const nameTaken = (name: string) => new AppError('conflict', `A pipeline named "${name}" already exists. Choose another name.`, { name: ['is already taken'] });

/**
 * Checks the parts of a pipeline that live elsewhere: its connectors (same tenant, right
 * kind), its streams (against the source's last discovery), its destination database (the
 * tenant's own namespace) and its schedule. Returns the streams as they are stored: each
 * with its sync mode and the replication method that follows from it. Runs on the caller's
 * transaction so it never waits for a second pool connection while holding a lock.
 */
async function checkReferences(db: DbOrTx, acting: Acting, input: Pick<PipelineInput, 'source_connector_id' | 'destination_connector_id' | 'destination_database' | 'schedule' | 'streams'>): Promise<SelectedStream[]> {
  const fields: Record<string, string[]> = {};
  const connectorOfKind = async (id: string, field: string, kind: 'extractor' | 'loader', plugin?: string) => {
    const connector = await db.query.connectors.findFirst({ where: and(eq(connectors.tenantId, acting.tenantId), eq(connectors.id, id)) });
    if (!connector) return void (fields[field] = ['no such connector']);
    const found = await catalog.getPlugin(db, connector.pluginName);
    if (found?.kind !== kind) fields[field] = [kind === 'extractor' ? 'must be a source connector' : 'must be a destination connector'];
    else if (plugin && found.name !== plugin) fields[field] = [`must be a ${plugin} connector`];
    return found?.name;
  };
  const sourcePlugin = await connectorOfKind(input.source_connector_id, 'source_connector_id', 'extractor');
  // Against the source's last discovery, when there is one (the wizard always has one); a
  // pipeline saved before any discovery is checked by its sync, which names what is missing.
  const discovered = fields.source_connector_id ? undefined : await lastDiscovery(db, input.source_connector_id);
  const { streams, errors } = resolveStreams(input.streams, discovered?.streams);
  Object.assign(fields, errors);
  if (sourcePlugin && sourcePlugin !== LOG_BASED_PLUGIN) Object.assign(fields, changeLogRefusals(streams));
  if (input.destination_connector_id) await connectorOfKind(input.destination_connector_id, 'destination_connector_id', 'loader', 'target-clickhouse');
  Object.assign(fields, await destinationDatabaseErrors(db, acting, input.destination_database ?? defaultDestinationDatabase(acting.tenantSlug)));
  if (input.schedule) Object.assign(fields, scheduleErrors(input.schedule));
  if (Object.keys(fields).length > 0) throw new AppError('validation_failed', 'Some fields need attention.', fields);
  return streams;
}

/** Only a source added as "PostgreSQL (change log)" has its changes read from its change log (tap-postgres with wal2json). */
function changeLogRefusals(streams: SelectedStream[]): Record<string, string[]> {
  return Object.fromEntries(
    streams.flatMap((s, i) =>
      s.replication_method === 'LOG_BASED'
        ? [[`streams.${i}.replication_method`, [`Changes of "${s.stream}" cannot be read from a change log: Sluice reads one only from sources added as “${LOG_BASED_LABEL}”. Choose a replication_key or a full-refresh mode.`]]]
        : [],
    ),
  );
}

const readsChangeLog = (p: Pick<Pipeline, 'streams'>) => p.streams.some((s) => s.replication_method === 'LOG_BASED');

/**
 * A pipeline that read its source's change log keeps a replication slot there, which makes the
 * source keep its log until it is read: once no stream reads it (or the pipeline is gone, or
 * reads another source), a worker drops it. When the job queue is away the slot stays; the
 * pipeline's next sync drops an unused slot of its own, and a deleted pipeline's is named in
 * the error so someone can drop it by hand.
 */
async function releaseSlotIfUnused(queues: RunQueues, before: Pick<Pipeline, 'id' | 'tenantId' | 'sourceConnectorId' | 'streams'>, after: Pick<Pipeline, 'sourceConnectorId' | 'streams'> | undefined) {
  if (!readsChangeLog(before) || (after && after.sourceConnectorId === before.sourceConnectorId && readsChangeLog(after))) return;
  await enqueueSlotDrop(queues, { tenant_id: before.tenantId, connector_id: before.sourceConnectorId, pipeline_id: before.id }).catch((error: unknown) => {
    if (!(error instanceof QueueUnavailable)) throw error;
    if (after) return;
    const slot = replicationSlotName(before.id);
    throw new AppError('unavailable', `The pipeline was deleted, but Sluice could not release its change-log slot on the source database (its job queue is not reachable), so the source keeps its change log for it. Ask the database's administrator to run SELECT pg_drop_replication_slot('${slot}'); on it.`);
  });
}

const columns = (acting: Acting, input: PipelineInput, streams: SelectedStream[]) => ({
  name: input.name,
  sourceConnectorId: input.source_connector_id,
  destinationConnectorId: input.destination_connector_id ?? null,
  destinationDatabase: input.destination_database ?? defaultDestinationDatabase(acting.tenantSlug),
  streams,
  untypedNumbers: input.untyped_numbers ?? 'float',
  scheduleCron: input.schedule?.cron.trim().replace(/\s+/g, ' ') ?? null,
  scheduleTimezone: input.schedule?.timezone ?? 'UTC',
  enabled: input.enabled ?? true,
});

const auditView = (p: Pick<Pipeline, 'name' | 'sourceConnectorId' | 'destinationConnectorId' | 'destinationDatabase' | 'streams' | 'untypedNumbers' | 'scheduleCron' | 'scheduleTimezone' | 'enabled'>) => ({
  name: p.name,
  source_connector_id: p.sourceConnectorId,
  destination_connector_id: p.destinationConnectorId,
  destination_database: p.destinationDatabase,
  streams: p.streams,
  untyped_numbers: p.untypedNumbers,
  schedule: p.scheduleCron ? { cron: p.scheduleCron, timezone: p.scheduleTimezone } : null,
  enabled: p.enabled,
});

/** The schedule a pipeline should have in BullMQ: its cron and zone while it is enabled, none otherwise. */
export const wantedSchedule = (p: Pick<Pipeline, 'scheduleCron' | 'scheduleTimezone' | 'enabled'>): Schedule | null =>
  p.scheduleCron && p.enabled ? { cron: p.scheduleCron, timezone: p.scheduleTimezone } : null;

/**
 * The pipeline's BullMQ job scheduler follows its schedule and enabled flag (after the row is
 * committed). The pipelines table is the truth: when the queue is not reachable the change is
 * still saved, and the reconciler (core/runs/reconciler.ts) applies it once Redis is back.
 */
async function applySchedule(queues: RunQueues, pipelineId: string, wanted: Schedule | null) {
  await (wanted ? upsertSchedule(queues, pipelineId, wanted) : removeSchedule(queues, pipelineId)).catch((error: unknown) => {
    if (!(error instanceof QueueUnavailable)) throw error;
  });
}

/** Every pipeline's wanted schedule, for the reconciler: id → schedule (null: none). */
export async function allWantedSchedules(db: Db): Promise<Map<string, Schedule | null>> {
  const rows = await db.select({ id: pipelines.id, scheduleCron: pipelines.scheduleCron, scheduleTimezone: pipelines.scheduleTimezone, enabled: pipelines.enabled }).from(pipelines);
  return new Map(rows.map((p) => [p.id, wantedSchedule(p)]));
}

export async function createPipeline(db: Db, queues: RunQueues, acting: Acting, input: PipelineInput) {
  const created = await db.transaction(async (tx) => {
    const streams = await checkReferences(tx, acting, input);
    const [row] = await tx
      .insert(pipelines)
      .values({ tenantId: acting.tenantId, ...columns(acting, input, streams) })
      .onConflictDoNothing({ target: [pipelines.tenantId, pipelines.name] })
      .returning();
    if (!row) throw nameTaken(input.name);
    await recordAudit(tx, { ...acting, action: 'pipeline.create', resourceType: 'pipeline', resourceId: row.id, changes: auditView(row) });
    return row;
  });
  await applySchedule(queues, created.id, wantedSchedule(created));
  return created;
}

export async function getPipeline(db: Db, tenantId: string, id: string) {
  const row = await db.query.pipelines.findFirst({ where: and(eq(pipelines.tenantId, tenantId), eq(pipelines.id, id)) });
  if (!row) throw notFound('Pipeline');
  return row;
}

export async function listPipelines(db: Db, tenantId: string, query: { limit: number; cursor?: Cursor | undefined; enabled?: boolean | undefined; source?: string | undefined }) {
  const filters: Array<SQL | undefined> = [eq(pipelines.tenantId, tenantId)];
  if (query.enabled !== undefined) filters.push(eq(pipelines.enabled, query.enabled));
  if (query.source) filters.push(eq(pipelines.sourceConnectorId, query.source));
  if (query.cursor) {
    const at = new Date(query.cursor.at);
    filters.push(or(lt(pipelines.createdAt, at), and(eq(pipelines.createdAt, at), lt(pipelines.id, query.cursor.id))));
  }
  return db.select().from(pipelines).where(and(...filters)).orderBy(desc(pipelines.createdAt), desc(pipelines.id)).limit(query.limit + 1);
}

/**
 * Changes a pipeline. The row is locked for the whole read-merge-write, so concurrent
 * PATCHes of different fields each land (one waits for the other) instead of the last
 * one writing back what it read before the first committed.
 */
export async function updatePipeline(db: Db, queues: RunQueues, acting: Acting, id: string, patch: { [K in keyof PipelineInput]?: PipelineInput[K] | undefined }) {
  const updated = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(pipelines).where(and(eq(pipelines.tenantId, acting.tenantId), eq(pipelines.id, id))).for('update');
    if (!current) throw notFound('Pipeline');
    const before = auditView(current);
    const next: PipelineInput = {
      name: patch.name ?? current.name,
      source_connector_id: patch.source_connector_id ?? current.sourceConnectorId,
      destination_connector_id: patch.destination_connector_id !== undefined ? patch.destination_connector_id : current.destinationConnectorId,
      // The stored one is checked too: a pipeline saved before the namespace rule cannot keep another tenant's database.
      destination_database: patch.destination_database ?? current.destinationDatabase,
      streams: patch.streams ?? current.streams,
      untyped_numbers: patch.untyped_numbers ?? current.untypedNumbers,
      schedule: patch.schedule !== undefined ? patch.schedule : before.schedule,
      enabled: patch.enabled ?? current.enabled,
    };
    const streams = await checkReferences(tx, acting, next);
    const [row] = await tx
      .update(pipelines)
      .set({ ...columns(acting, next, streams), updatedAt: new Date() })
      .where(eq(pipelines.id, id))
      .returning()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw nameTaken(next.name);
        throw error;
      });
    await recordAudit(tx, { ...acting, action: 'pipeline.update', resourceType: 'pipeline', resourceId: id, changes: diff(before, auditView(row!)) });
    return { row: row!, current };
  });
  await applySchedule(queues, updated.row.id, wantedSchedule(updated.row));
  await releaseSlotIfUnused(queues, updated.current, updated.row);
  return updated.row;
}

/**
 * Deletes a pipeline, unless a sync of it is queued or running: that run would go on
 * loading with nothing left to show it, so the caller cancels it first. Its runs stay, for
 * history (their pipeline_id becomes null).
 */
export async function deletePipeline(db: Db, queues: RunQueues, acting: Acting, id: string) {
  const deleted = await db.transaction(async (tx) => {
    // Locked: a run being created meanwhile waits on this row (its foreign key), and then finds it gone.
    const [current] = await tx.select().from(pipelines).where(and(eq(pipelines.tenantId, acting.tenantId), eq(pipelines.id, id))).for('update');
    if (!current) throw notFound('Pipeline');
    const [busy] = await tx
      .select({ id: runs.id, status: runs.status })
      .from(runs)
      .where(and(eq(runs.pipelineId, id), eq(runs.kind, 'sync'), inArray(runs.status, ['queued', 'running'])))
      .limit(1);
    if (busy) {
      throw new AppError(
        'conflict',
        `This pipeline has a sync ${busy.status === 'queued' ? 'waiting to run' : 'running'} (run ${busy.id}). Cancel that run first, then delete the pipeline.`,
        { run_id: [busy.id] },
      );
    }
    await tx.delete(pipelines).where(eq(pipelines.id, id));
    await recordAudit(tx, { ...acting, action: 'pipeline.delete', resourceType: 'pipeline', resourceId: id, changes: { name: current.name } });
    return current;
  });
  await applySchedule(queues, id, null);
  await releaseSlotIfUnused(queues, deleted, undefined);
}

export function presentPipeline(p: Pipeline) {
  const schedule = p.scheduleCron ? { cron: p.scheduleCron, timezone: p.scheduleTimezone } : null;
  return {
    id: p.id,
    name: p.name,
    source_connector_id: p.sourceConnectorId,
    destination: p.destinationConnectorId
      ? { type: 'connector', connector_id: p.destinationConnectorId, database: p.destinationDatabase }
      : { type: 'platform_clickhouse', database: p.destinationDatabase },
    streams: p.streams,
    untyped_numbers: p.untypedNumbers,
    schedule,
    next_runs: schedule && p.enabled ? nextRuns(schedule) : [],
    enabled: p.enabled,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
