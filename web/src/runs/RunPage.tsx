import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { CancelRun } from './CancelRun.js';
import { FailureReason, settingsToCheck } from './FailureReason.js';
import { LogViewer } from './LogViewer.js';
import { progressByStream, progressFromCounts, totalRowsLoaded } from './progress.js';
import { Reconciliation } from './Reconciliation.js';
import { runQueryKey, useName, useRun } from './run-queries.js';
import { RunSummary } from './RunSummary.js';
import { StreamProgress } from './StreamProgress.js';
import { isFinished } from './types.js';
import { useRunLog } from './useRunLog.js';

/**
 * One run, for people who never ran a data tool: what ran, how it went, what to do next,
 * progress while it runs, the row check when it is done, and the live log.
 *
 * `canCancel`: whether to offer Cancel (the API lets admins and owners cancel; a viewer who
 * tried would be refused with a message). Defaults to offering it.
 */
export function RunPage({ id, canCancel = true }: { id: string; canCancel?: boolean }) {
  const client = useQueryClient();
  const run = useRun(id);
  // Once the run is known: a wrong id shows its message instead of a log that keeps retrying.
  const log = useRunLog(id, run.data !== undefined);
  const pipeline = useName('pipelines', run.data?.kind === 'sync' ? run.data.pipeline_id : null);
  const connection = useName('connectors', run.data?.connector_id ?? null);
  const progress = useMemo(() => progressByStream(log.entries), [log.entries]);

  // The log's end comes when the worker is done: ask for the final view now, not at the next poll.
  const ended = log.end !== undefined;
  useEffect(() => {
    if (ended) void client.invalidateQueries({ queryKey: runQueryKey(id) });
  }, [ended, client, id]);

  // A failed refetch keeps the run on screen (the next poll may well work); only a first load shows the error.
  if (run.data === undefined) {
    if (!run.isError) return <p data-testid="run-loading">Loading the run…</p>;
    const notFound = (run.error as { status?: number }).status === 404;
    return (
      <p role="alert" className="text-red-800" data-testid="run-error">
        {notFound ? 'This run does not exist, or it belongs to another organisation.' : `The run could not be loaded: ${run.error.message}`}
      </p>
    );
  }
  const view = run.data;
  const finished = isFinished(view.status);
  const streams = progress.length > 0 || !finished ? progress : progressFromCounts(view.record_counts, view.finished_at ?? view.queued_at);
  // Progress comes from a sync; other kinds copy no rows. A finished run without any says nothing.
  const showProgress = streams.length > 0 || (view.kind === 'sync' && !finished);
  return (
    <article aria-labelledby="run-title" data-testid="run-page" data-run-id={view.id} className="space-y-8">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <RunSummary run={view} names={{ pipeline: pipeline.data, connection: connection.data }} liveRowsLoaded={totalRowsLoaded(progress)} />
        {canCancel && !finished && <CancelRun run={view} />}
      </header>
      {view.status === 'failed' && <FailureReason message={view.error} settings={settingsToCheck(view)} />}
      {view.status === 'cancelled' && view.error && (
        <p className="rounded-lg border border-amber-400 bg-amber-50 p-4 text-amber-950" data-testid="run-cancelled-note">
          {view.error}
        </p>
      )}
      {showProgress && <StreamProgress rows={streams} running={!finished} />}
      {view.reconciliation && view.reconciliation.length > 0 && <Reconciliation checks={view.reconciliation} />}
      <LogViewer runId={id} log={log} />
    </article>
  );
}
