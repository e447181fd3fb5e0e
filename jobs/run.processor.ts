import { UnrecoverableError, type Job } from 'bullmq';
import * as connectors from '../server/connectors/service.js';
import * as pipelines from '../server/pipelines/service.js';
import * as runs from '../server/runs/service.js';
import { explainFailure } from '../meltano/failure-reasons.js';
import type { WorkerDeps } from './deps.js';
import { runJobSchema, type RunJob } from './queues.js';
import { createLogWriter, runLogKey } from './run-log.js';
import { createRunOutput } from './run-output.js';
import { createScrubber } from './scrub.js';
import { runConnectionTest } from './test-connection.js';
import { runSync } from './sync.js';

type Outcome = { status: 'succeeded' | 'failed' | 'cancelled'; exitCode: number | null; error: string | null };

/**
 * Executes one run: marks it running, spawns Meltano, streams the log, records the outcome.
 * Idempotent: a run that is already finished (or taken by another worker) is left alone.
 */
export function createRunProcessor(deps: WorkerDeps) {
  return async function processRun(job: Job<RunJob>, _token?: string, signal?: AbortSignal) {
    const parsed = runJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} has no valid run_id`);
    const runId = parsed.data.run_id;
    const run = await runs.getRunById(deps.db, runId);
    if (!run || runs.isFinished(run.status)) return;
    // A run found `running` was picked up before and its worker died (stalled job): run it again.
    const started = run.status === 'queued' ? await runs.transition(deps.db, runId, 'queued', 'running', { startedAt: new Date() }) : run;
    if (!started) return;
    const log = deps.log.child({ run_id: runId, kind: run.kind });
    const writer = createLogWriter(deps.redis, runLogKey(deps.env.SLUICE_QUEUE_PREFIX, runId));
    let outcome: Outcome;
    let output: ReturnType<typeof createRunOutput> | undefined;
    let scrub = (text: string) => text;
    try {
      const connector = await connectors.getConnector(deps.db, run.tenantId, run.connectorId);
      const { config, secretValues } = connectors.loadConnectorForRun(deps.keyring, connector);
      const pipeline = run.kind === 'sync' && run.pipelineId ? await pipelines.getPipeline(deps.db, run.tenantId, run.pipelineId) : undefined;
      const destination = pipeline?.destinationConnectorId
        ? connectors.loadConnectorForRun(deps.keyring, await connectors.getConnector(deps.db, run.tenantId, pipeline.destinationConnectorId))
        : undefined;
      scrub = createScrubber([...secretValues, ...(destination?.secretValues ?? []), deps.env.CLICKHOUSE_PASSWORD]);
      output = createRunOutput(writer, scrub);
      const base = { config, onLine: output.onLine, ...(signal ? { signal } : {}) };
      log.info({ plugin: connector.pluginName }, 'run started');
      const result = pipeline
        ? await runSync(deps, { ...base, runId, tap: connector.pluginName, pipeline, destination: destination?.config })
        : await runConnectionTest(deps, { ...base, plugin: connector.pluginName });
      if (result.exitCode === 0) outcome = { status: 'succeeded', exitCode: 0, error: null };
      else if (result.cancelled) outcome = { status: 'cancelled', exitCode: result.exitCode ?? null, error: 'The run was cancelled.' };
      else if (result.timedOut) outcome = { status: 'failed', exitCode: result.exitCode ?? null, error: 'The run took too long and was stopped.' };
      else outcome = { status: 'failed', exitCode: result.exitCode ?? null, error: explainFailure(output.tail()).message };
      if (run.kind === 'test') await connectors.recordTestResult(deps.db, connector.id, outcome.status === 'succeeded', outcome.error);
    } catch (error) {
      log.error({ err: scrub(error instanceof Error ? error.message : String(error)) }, 'run crashed');
      outcome = { status: 'failed', exitCode: null, error: 'Sluice could not start this run. The service log has the details.' };
    }
    await runs.transition(deps.db, runId, 'running', outcome.status, {
      finishedAt: new Date(),
      exitCode: outcome.exitCode,
      errorSummary: outcome.error,
      recordCounts: output?.recordCounts ?? {},
      rowsLoaded: output ? output.rowsLoaded() : null,
      reconciliation: output && output.reconciliation.length > 0 ? output.reconciliation : null,
    });
    if (outcome.error) writer.write({ type: 'log', level: 'error', message: outcome.error, at: new Date().toISOString() });
    writer.write({ type: 'end', status: outcome.status, at: new Date().toISOString() });
    await writer.close();
    log.info({ status: outcome.status }, 'run finished');
  };
}
