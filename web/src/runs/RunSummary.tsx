import { useEffect, useState } from 'react';
import { formatDateTime, formatDuration, formatNumber, secondsBetween } from './format.js';
import { StatusBadge } from './StatusBadge.js';
import { statusMeaning, triggerLabel, whatItDoes, whatRan } from './words.js';
import type { RunView } from './types.js';

/** The current time, ticking every second while `live`: a running run's duration counts up. */
function useNow(live: boolean) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return now;
}

function Fact({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-sm text-slate-700">{label}</dt>
      <dd className="font-medium text-slate-900 tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export type RunNames = { pipeline: string | undefined; connection: string | undefined };

/**
 * What ran and how it went: the heading, the status in words, the times and the rows loaded.
 * `liveRowsLoaded`: the progress events' total, shown while the run has no final count yet.
 */
export function RunSummary({ run, names, liveRowsLoaded }: { run: RunView; names: RunNames; liveRowsLoaded: number | undefined }) {
  const running = run.status === 'running';
  const now = useNow(running);
  const subject = run.kind === 'sync' ? (names.pipeline ?? (run.pipeline_id === null ? 'a deleted pipeline' : undefined)) : names.connection;
  const duration =
    run.duration_seconds !== null ? formatDuration(run.duration_seconds) : running && run.started_at ? `${formatDuration(secondsBetween(run.started_at, now))} so far` : undefined;
  const rows = run.rows_loaded !== null && !running ? formatNumber(run.rows_loaded) : liveRowsLoaded !== undefined ? `${formatNumber(liveRowsLoaded)} so far` : undefined;
  return (
    <div>
      <h1 id="run-title" className="text-2xl font-semibold text-slate-900" data-testid="run-title">
        {whatRan(run)}
        {subject && <span className="font-normal">: {subject}</span>}
      </h1>
      <p className="mt-1 text-slate-800">{whatItDoes(run)}</p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <StatusBadge status={run.status} />
        <p className="text-slate-800" data-testid="run-status-meaning">
          {statusMeaning[run.status]}
        </p>
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3 lg:grid-cols-4">
        {run.kind === 'sync' && names.connection && <Fact label="Source" value={names.connection} testId="run-connection" />}
        <Fact label="How it started" value={triggerLabel[run.trigger]} testId="run-trigger" />
        <Fact label={run.started_at ? 'Started' : 'Waiting since'} value={formatDateTime(run.started_at ?? run.queued_at)} testId="run-started" />
        {run.finished_at && <Fact label="Finished" value={formatDateTime(run.finished_at)} testId="run-finished" />}
        {duration && <Fact label="Took" value={duration} testId="run-duration" />}
        {rows && <Fact label="Rows loaded" value={rows} testId="run-rows-loaded" />}
        {run.attempt > 1 && <Fact label="Attempt" value={`${run.attempt} (tried again after a problem)`} testId="run-attempt" />}
      </dl>
    </div>
  );
}
