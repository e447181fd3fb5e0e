import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { explainFailure } from '../meltano/failure-reasons.js';
import type { Actor } from '../core/audit/service.js';
import * as connectors from '../core/connectors/service.js';
import * as pipelines from '../core/pipelines/service.js';
import { lastCatalog, storeDiscovery } from '../core/pipelines/last-discovery.js';
import * as catalog from '../core/plugins/service.js';
import * as runs from '../core/runs/service.js';
import { whileHeld, type Claim } from '../core/runs/fence.js';
import { endRun, failureOutcome, type Outcome } from './run-end.js';
import type { WorkerDeps } from './deps.js';
import { discoverCatalog, streamsOf } from './discover.js';
import { applyPendingState, rejectState, startStateRow, StateRejected } from './pipeline-state.js';
import { previewStream } from './preview.js';
import { runJobSchema, type RunJob } from '../core/runs/queues.js';
import { createLogWriter, runLogKey, type LogWriter } from '../core/runs/run-log.js';
import { createRunOutput } from './run-output.js';
import { createScrubber } from './scrub.js';
import { DESTINATION_PLUGIN, runSync } from './sync.js';
import { dropPipelineSlot } from './drop-slot.js';
import { confirmChangeLog } from './log-based-sync.js';
import { renewWhileRunning } from './tenant-slots.js';
import { afterRun, watchHold, watchSlot } from './run-watch.js';
import { runStagedTest } from './test-connection.js';
import { installForRun, installStageLabel, pluginsToInstall, type NotReady, type RunLogLine } from './plugin-ready.js';
import { checkConnectorAccess, connectorPolicyFrom } from '../core/connectors/access-policy.js';
import { defaultDestinationDatabase, destinationDatabaseErrors } from '../core/pipelines/destination-database.js';
import { AppError } from '../core/errors.js';
import { tenantWarehouseLogin, type WarehouseLogin } from '../core/warehouse/tenant-login.js';

type Run = runs.Run;

const scheduler: Actor = { type: 'system', id: null, label: 'schedule' };
const outcomeOf = (r: { exitCode: number | undefined; cancelled: boolean; timedOut: boolean }, failure: () => { message: string; transient: boolean; settings?: string[] }): Outcome => {
  if (r.exitCode === 0) return { status: 'succeeded', exitCode: 0, error: null, transient: false };
  if (r.cancelled) return { status: 'cancelled', exitCode: r.exitCode ?? null, error: 'The run was cancelled.', transient: false };
  if (r.timedOut) return { status: 'failed', exitCode: r.exitCode ?? null, error: 'The run took longer than its time limit and was stopped.', transient: false };
  const f = failure();
  return { status: 'failed', exitCode: r.exitCode ?? null, error: f.message, transient: f.transient, ...(f.settings?.length ? { settings: f.settings } : {}) };
};

/** A failure's reason, pointing only at settings this connector has (the rules name those of every kind of source). */
const explainFor = (schema: Record<string, unknown>, lines: string[]) => {
  const reason = explainFailure(lines);
  const known = Object.keys((schema.properties ?? {}) as Record<string, unknown>);
  return { ...reason, settings: reason.settings.filter((name) => known.includes(name)) };
};

/** A scheduled trigger becomes a run, unless the pipeline is still busy (then it is skipped and recorded). */
async function runForSchedule(deps: WorkerDeps, pipelineId: string): Promise<string | undefined> {
  const pipeline = await deps.db.query.pipelines.findFirst({ where: (p, { eq: is }) => is(p.id, pipelineId) });
  if (!pipeline || !pipeline.enabled) return undefined;
  const tenant = await deps.db.query.tenants.findFirst({ where: (t, { eq: is }) => is(t.id, pipeline.tenantId) });
  const acting = { tenantId: pipeline.tenantId, tenantSlug: tenant?.slug ?? '', actor: scheduler };
  try {
    // This job becomes the run: nothing to enqueue.
    const run = await runs.createRun(deps.db, acting, { kind: 'sync', trigger: 'schedule', connectorId: pipeline.sourceConnectorId, pipelineId: pipeline.id });
    return run.id;
  } catch (error) {
    if (!(error instanceof runs.PipelineBusy)) throw error;
    await runs.recordSkippedRun(deps.db, acting, { connectorId: pipeline.sourceConnectorId, pipelineId: pipeline.id, busyRunId: error.runId });
    return undefined;
  }
}

/** A run whose plugin could not be installed on this machine ends with the install's reason. */
const notReadyOutcome = (notReady: NotReady): Outcome =>
  notReady.cancelled
    ? { status: 'cancelled', exitCode: null, error: 'The run was cancelled.', transient: false }
    : { status: 'failed', exitCode: null, error: notReady.message, transient: notReady.transient };

/** What a tap prints when it cannot use the state it was given (Python's JSON parser, a bad bookmark). */
const REFUSED_STATE = /RecursionError|JSONDecodeError|(?:invalid|malformed|bad|unexpected)\b.{0,40}\bstate\b|\bstate\b.{0,40}\b(?:invalid|malformed)\b/i;

/** `claim` fences every write this run makes (core/runs/fence.ts); `onFenced` stops it once another worker holds it. */
async function execute(deps: WorkerDeps, run: Run, writer: LogWriter, signal: AbortSignal, fence: { claim: Claim; onFenced: () => void }): Promise<Outcome> {
  const { claim } = fence;
  const connector = await connectors.getConnector(deps.db, run.tenantId, run.connectorId);
  const plugin = await catalog.getPlugin(deps.db, connector.pluginName);
  if (!plugin) throw new UnrecoverableError(`plugin ${connector.pluginName} is not in the catalog`);
  const { config: storedConfig, secretValues } = connectors.loadConnectorForRun(deps.keyring, connector);
  const pipeline = run.kind === 'sync' && run.pipelineId ? await pipelines.getPipeline(deps.db, run.tenantId, run.pipelineId) : undefined;
  const destinationConnector = pipeline?.destinationConnectorId ? await connectors.getConnector(deps.db, run.tenantId, pipeline.destinationConnectorId) : undefined;
  const destination = destinationConnector ? connectors.loadConnectorForRun(deps.keyring, destinationConnector) : undefined;
  // Before any plugin process starts: the servers and files each connector names must be
  // allowed (core/connectors/access-policy.ts); plugins get the pinned config it returns.
  // The staged test applies it in its settings stage. The platform's own destination is ours.
  const tenant = await deps.db.query.tenants.findFirst({ where: (t, { eq: is }) => is(t.id, run.tenantId) });
  if (!tenant) throw new UnrecoverableError(`tenant ${run.tenantId} is gone`);
  const access = (c: Record<string, unknown>, schema: Record<string, unknown>) => checkConnectorAccess(connectorPolicyFrom(deps.env), c, schema, tenant.slug);
  const destinationPlugin = destinationConnector ? await catalog.getPlugin(deps.db, destinationConnector.pluginName) : undefined;
  if (destinationConnector && !destinationPlugin) throw new UnrecoverableError(`plugin ${destinationConnector.pluginName} is not in the catalog`);
  if (pipeline) {
    // Checked again here, not only when saved: a pipeline stored before the namespace rule may name another tenant's database.
    const misplaced = await destinationDatabaseErrors(deps.db, { tenantId: run.tenantId, tenantSlug: tenant.slug }, pipeline.destinationDatabase);
    if (Object.keys(misplaced).length > 0) {
      const own = defaultDestinationDatabase(tenant.slug);
      return { status: 'failed', exitCode: null, error: `This pipeline loads into the database "${pipeline.destinationDatabase}", which is not one of this organisation's. Change its destination database to ${own} (or ${own}__<name>) and run it again.`, transient: false };
    }
  }
  // The platform ClickHouse is loaded through the tenant's own login, never the platform's.
  let warehouse: WarehouseLogin | undefined;
  if (pipeline && !destinationConnector) {
    try {
      warehouse = await tenantWarehouseLogin(deps, tenant, pipeline.destinationDatabase);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { status: 'failed', exitCode: null, error: error.message, transient: error.code === 'unavailable' };
    }
  }
  // Every message this run stores or shows passes through it, explanations included.
  const scrub = createScrubber([...secretValues, ...(destination?.secretValues ?? []), deps.env.CLICKHOUSE_PASSWORD, ...(warehouse ? [warehouse.password] : [])]);
  const source = run.kind === 'test' ? { ok: true as const, config: storedConfig } : await access(storedConfig, plugin.configSchema);
  const target = destination ? await access(destination.config, destinationPlugin?.configSchema ?? {}) : undefined;
  if (!source.ok) return { status: 'failed', exitCode: null, error: scrub(source.message), transient: source.transient };
  if (target && !target.ok) return { status: 'failed', exitCode: null, error: scrub(target.message), transient: target.transient };
  const config = source.config;
  const output = createRunOutput(writer, scrub);
  // Sluice's own lines (a plugin's install, uv's output): straight to the log, never read as the tap's.
  const say: RunLogLine = (level, message) => writer.write({ type: 'log', level, message: scrub(message), at: new Date().toISOString() });
  const timeoutMs = deps.timeoutsMs[run.kind];
  // Fenced like every write of this run: a run another worker took over stores nothing.
  const keepDiscovery = (catalog: Record<string, unknown>, streams: ReturnType<typeof streamsOf>) =>
    whileHeld(deps.db, claim, (tx) => storeDiscovery(tx, { connectorId: connector.id, tenantId: run.tenantId, catalog, streams }));
  const storeCatalog = async (found: { catalog?: Record<string, unknown>; streams?: ReturnType<typeof streamsOf> }) => {
    const { catalog: discovered, streams } = found;
    if (!discovered || !streams) return;
    await afterRun("save the streams it found", () => keepDiscovery(discovered, streams));
  };

  if (run.kind === 'test') {
    // Only a source's test starts its plugin (a destination's stops after the network).
    const toInstall = plugin.kind === 'extractor' ? await pluginsToInstall([plugin]) : [];
    const tested = await runStagedTest(deps, {
      plugin,
      kind: plugin.kind,
      schema: plugin.configSchema,
      config,
      access: (c) => access(c, plugin.configSchema),
      scrub,
      onLine: output.onLine,
      onStage: (stage) => writer.write({ type: 'log', level: stage.ok ? 'info' : 'error', message: `${stage.label}: ${stage.ok ? 'ok' : stage.message}`, at: new Date().toISOString() }),
      install: toInstall.length > 0 ? { label: installStageLabel(plugin), run: () => installForRun(toInstall, say, signal) } : undefined,
      signal,
      timeoutMs,
    });
    await storeCatalog(tested);
    const outcome: Outcome = tested.ok
      ? { status: 'succeeded', exitCode: 0, error: null, transient: false }
      : tested.cancelled
        ? { status: 'cancelled', exitCode: null, error: 'The run was cancelled.', transient: false }
        : { status: 'failed', exitCode: null, error: tested.message === null ? null : scrub(tested.message), transient: false };
    // The run's row stays share-locked while the connector is written (on another connection), so a reclaim waits for it.
    await afterRun("save the connector's test result", () => whileHeld(deps.db, claim, () => connectors.recordTestResult(deps.db, connector.id, tested.ok, outcome.status === 'cancelled' ? null : outcome.error)));
    return { ...outcome, result: { stages: tested.stages, ...(tested.streams ? { streams: tested.streams.length } : {}) } };
  }

  if (run.kind === 'discover') {
    const notReady = await installForRun([plugin], say, signal);
    if (notReady) return notReadyOutcome(notReady);
    const preview = run.params.preview;
    if (preview) {
      const found = await previewStream({ plugin, config, stream: preview.stream, limit: preview.limit, onLine: output.onLine, signal, timeoutMs });
      return { ...outcomeOf(found.result, () => explainFor(plugin.configSchema, output.tail())), result: { stream: preview.stream, records: found.records } };
    }
    const found = await discoverCatalog({ plugin, config, onLine: output.onLine, signal, timeoutMs });
    const streams = found.catalog ? streamsOf(found.catalog, plugin.capabilities) : undefined;
    await storeCatalog({ ...(found.catalog ? { catalog: found.catalog as Record<string, unknown> } : {}), ...(streams ? { streams } : {}) });
    return { ...outcomeOf(found.result, () => explainFor(plugin.configSchema, output.tail())), ...(streams ? { result: { streams: streams.length } } : {}) };
  }

  if (!pipeline) throw new UnrecoverableError(`sync run ${run.id} has no pipeline`);
  const targetPlugin = await catalog.getPlugin(deps.db, DESTINATION_PLUGIN);
  if (!targetPlugin) throw new UnrecoverableError(`plugin ${DESTINATION_PLUGIN} is not in the catalog`);
  // Before a pending state is taken up: a sync that cannot start leaves it pending.
  const notReady = await installForRun([plugin, targetPlugin], say, signal);
  if (notReady) return notReadyOutcome(notReady);
  // A pending rollback, edit or reset becomes the state this sync starts from.
  let applied: Awaited<ReturnType<typeof applyPendingState>>;
  try {
    applied = await applyPendingState(deps.db, pipeline.id);
  } catch (error) {
    if (!(error instanceof StateRejected)) throw error;
    return { status: 'failed', exitCode: null, error: error.message, transient: false };
  }
  if (applied) writer.write({ type: 'log', level: 'info', message: `Applied the ${applied.source} of the pipeline's state saved at ${applied.createdAt.toISOString()}.`, at: new Date().toISOString() });
  const destinationConfig = target?.config ?? warehouse;
  if (!destinationConfig) throw new UnrecoverableError(`sync run ${run.id} has no destination`);
  const states = await startStateRow(deps.db, { tenantId: run.tenantId, pipelineId: pipeline.id, claim, fullRefresh: run.params.full_refresh === true, onFenced: fence.onFenced });
  // The newest state the target committed: what a change-log slot is told once it is stored.
  let lastState: Record<string, unknown> | undefined = states.startState;
  const synced = await runSync({
    tap: plugin,
    discoveries: {
      last: () => lastCatalog(deps.db, connector.id),
      // A sync's own discovery is kept at once, so the next syncs may start from it.
      save: (found) => keepDiscovery(found, streamsOf(found, plugin.capabilities)),
      maxAgeSeconds: deps.env.SLUICE_DISCOVERY_REUSE_SECONDS,
    },
    target: targetPlugin,
    config,
    pipeline,
    destination: destinationConfig,
    state: states.startState,
    onState: (state) => {
      lastState = state;
      states.save(state);
    },
    timeoutMs,
    onLine: output.onLine,
    signal,
  });
  // From here on the sync's data is in the warehouse: a failure says what failed, and is never retried as if nothing had run.
  let outcome: Outcome = synced.refused ? { status: 'failed', exitCode: null, error: scrub(synced.refused), transient: synced.transient ?? false } : outcomeOf(synced, () => explainFor(plugin.configSchema, output.tail()));
  await afterRun("save where the sync got to (the pipeline's state), so the next sync may read again some rows it already loaded (they are deduplicated)", () => states.finish(outcome.status === 'succeeded'));
  if (outcome.status === 'succeeded' && synced.changeLog) await confirmChangeLog(synced.changeLog, lastState, output.onLine);
  if (outcome.status === 'failed' && applied && applied.source !== 'reset' && states.saved() === 0 && REFUSED_STATE.test(output.tail().join('\n'))) {
    // The tap refused the state someone saved: set it aside, or every later sync fails the same way.
    await afterRun('set aside the state the source refused', () => whileHeld(deps.db, claim, (tx) => rejectState(tx, applied.id)));
    outcome = { status: 'failed', exitCode: outcome.exitCode, error: `The source refused the pipeline's ${applied.source}ed state saved at ${applied.createdAt.toISOString()}; it has been set aside and the next sync starts from the state before it.`, transient: false };
  }
  // Saved with the outcome, in the same fenced write (finishRun).
  return { ...outcome, output: { recordCounts: output.recordCounts(), rowsLoaded: output.rowsLoaded(), reconciliation: output.reconciliation.length > 0 ? output.reconciliation : null } };
}

/**
 * Executes one run: takes a tenant slot (syncs), marks it running, spawns Meltano, streams
 * the log, records the outcome, and for a transient failure hands the job back to BullMQ to
 * retry with backoff. Idempotent: a finished run, or one another worker took, is left alone;
 * a run found `running` lost its worker (stalled job) and starts again as a new attempt. The
 * attempt fences the old worker: its state saves and final write are refused and its
 * plugins stopped (core/runs/fence.ts).
 */
export function createRunProcessor(deps: WorkerDeps) {
  return async function processRun(job: Job<RunJob>, token?: string, bullSignal?: AbortSignal) {
    const parsed = runJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} has no valid run_id`);
    if ('drop_slot' in parsed.data) {
      await dropPipelineSlot(deps, parsed.data.drop_slot);
      return;
    }
    let runId: string;
    if ('run_id' in parsed.data) runId = parsed.data.run_id;
    else {
      const created = await runForSchedule(deps, parsed.data.pipeline_id);
      if (!created) return;
      runId = created;
      await job.updateData({ run_id: runId });
    }
    const run = await runs.getRunById(deps.db, runId);
    if (!run || runs.isFinished(run.status)) return;
    if (run.kind === 'sync' && !(await deps.slots.acquire(run.tenantId, run.id))) {
      // The tenant is at its cap: wait in the queue without counting an attempt.
      await job.moveToDelayed(Date.now() + 2_000 + Math.random() * 3_000, token);
      throw new DelayedError();
    }
    try {
      await processClaimed(deps, job, run, bullSignal);
    } finally {
      if (run.kind === 'sync') await deps.slots.release(run.tenantId, run.id);
    }
  };
}

async function processClaimed(deps: WorkerDeps, job: Job<RunJob>, run: Run, bullSignal?: AbortSignal) {
  const recovered = run.status === 'running';
  const claim = { startedAt: run.startedAt ?? new Date(), attempt: run.attempt + 1, worker: deps.workerName, errorSummary: null };
  const started = recovered ? await runs.reclaim(deps.db, run.id, run.attempt, claim) : await runs.transition(deps.db, run.id, 'queued', 'running', claim);
  if (!started) return;
  // This worker's fencing token: every write below lands only while the run is still this attempt's.
  const held: Claim = { runId: run.id, attempt: started.attempt };
  const log = deps.log.child({ run_id: run.id, kind: run.kind, attempt: started.attempt });
  const writer = createLogWriter(deps.redis, runLogKey(deps.env.SLUICE_QUEUE_PREFIX, run.id));
  if (recovered) writer.write({ type: 'log', level: 'warning', message: `Picked up again after its worker stopped (attempt ${started.attempt}); a sync resumes from its last saved state.`, at: new Date().toISOString() });
  const watch = deps.cancels.watch(run.id, bullSignal);
  // Once another worker holds the run (or it ended), its plugins stop here.
  const onFenced = () => watch.abort();
  const stopWatchingHold = watchHold(deps.db, held, () => {
    log.warn('this attempt no longer holds the run (another worker took it over, or it ended); stopping its plugins');
    onFenced();
  });
  const stopRenewing = run.kind === 'sync' ? renewWhileRunning(deps.slots, run.tenantId, run.id, watchSlot(log, writer)) : () => undefined;
  // A cancel published before we were listening is not lost: the API marks the row first,
  // then publishes, so either the message reaches this watch or this read sees the mark.
  if ((await runs.getRunById(deps.db, run.id))?.cancelRequestedAt) watch.abort();
  let outcome: Outcome;
  try {
    log.info('run started');
    outcome = await execute(deps, started, writer, watch.signal, { claim: held, onFenced });
  } catch (error) {
    outcome = failureOutcome(error, log);
  } finally {
    watch.done();
    stopWatchingHold();
    stopRenewing();
  }
  if (deps.isStopping()) {
    // Stopped by this worker's shutdown, not by the run: leave it running for another worker to take over.
    await writer.close();
    log.warn('left for another worker (this one is stopping)');
    return;
  }
  const maxAttempts = job.opts.attempts ?? 1;
  if (outcome.status === 'failed' && outcome.transient && job.attemptsMade + 1 < maxAttempts) {
    const requeued = await runs.transition(deps.db, run.id, 'running', 'queued', { errorSummary: `Will retry: ${outcome.error}` }, { attempt: held.attempt });
    if (requeued) {
      writer.write({ type: 'log', level: 'warning', message: `This looks temporary; Sluice will retry (attempt ${job.attemptsMade + 2} of ${maxAttempts}). ${outcome.error}`, at: new Date().toISOString() });
      await writer.close();
      log.warn({ reason: outcome.error }, 'run will retry');
      throw new Error(outcome.error ?? 'transient failure');
    }
    // No longer ours to retry (ended meanwhile, or another worker holds it): finishRun below says which.
  }
  // Retried, and failed with a plain reason if it cannot be saved: the run never stays "running".
  await endRun({ db: deps.db, redis: deps.redis, logKey: runLogKey(deps.env.SLUICE_QUEUE_PREFIX, run.id), log, writer }, held, outcome);
}
