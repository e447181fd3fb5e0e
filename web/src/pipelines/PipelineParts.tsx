/** The pieces the list and the detail page share: status, schedule, last sync, Run now, Pause. */
import { useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { statusClasses } from '../runs/words.js';
import { primaryButton, secondaryButton } from '../ui/styles.js';
import { usePatchPipeline, useLastRun, useRunNow } from './queries.js';
import { failureOf, type PipelineView, type RunView } from './types.js';
import { fieldName, formatRunTimes, runFacts, runNowProblem, scheduleSummary } from './words.js';

export const linkClass = 'font-medium text-blue-800 underline hover:text-blue-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-700 focus-visible:ring-offset-2 rounded-sm';

/** A run's status as words on a coloured pill (colour only repeats the words). */
export function StatusPill({ status }: { status: RunView['status'] }) {
  return (
    <span data-testid="pipeline-run-status" data-status={status} className={`inline-flex items-center rounded-full border px-2.5 py-0.5 text-sm font-semibold ${statusClasses[status]}`}>
      {runFacts({ status, rows_loaded: null, duration_seconds: null }).status}
    </span>
  );
}

export function PausedBadge() {
  return (
    <span data-testid="pipeline-paused" className="inline-flex items-center rounded-full border border-amber-600 bg-amber-100 px-2.5 py-0.5 text-sm font-semibold text-amber-950">
      Paused
    </span>
  );
}

/** The schedule in words, and the next syncs (or why there are none). */
export function ScheduleFacts({ pipeline, count = 3 }: { pipeline: PipelineView; count?: number }) {
  const upcoming = pipeline.schedule ? formatRunTimes(pipeline.next_runs, pipeline.schedule.timezone, count) : [];
  return (
    <div className="text-sm text-slate-900">
      <p data-testid="pipeline-schedule">{scheduleSummary(pipeline.schedule)}</p>
      {!pipeline.enabled && pipeline.schedule && <p className="mt-1 text-slate-800">Paused: no sync runs on this schedule until someone resumes it.</p>}
      {upcoming.length > 0 && (
        <p className="mt-1 text-slate-800" data-testid="pipeline-next-runs">
          Next {upcoming.length === 1 ? 'sync' : 'syncs'}: {upcoming.join(' · ')}
        </p>
      )}
    </div>
  );
}

/** "Last sync: Succeeded, 250 rows in 4 s", linking to that run's page. */
export function LastRun({ pipeline }: { pipeline: Pick<PipelineView, 'id' | 'name'> }) {
  const last = useLastRun(pipeline.id);
  if (last.isPending) return <p className="text-sm text-slate-800">Looking up the last sync…</p>;
  if (last.isError) return <p className="text-sm text-slate-800">The last sync could not be looked up just now.</p>;
  if (!last.data) return <p className="text-sm text-slate-800" data-testid="pipeline-last-run">Not synced yet.</p>;
  const facts = runFacts(last.data);
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm text-slate-900" data-testid="pipeline-last-run">
      <span>Last sync:</span>
      <StatusPill status={last.data.status} />
      {facts.rows && <span>{facts.rows}</span>}
      {facts.duration && <span>in {facts.duration}</span>}
      <Link href={`/runs/${last.data.id}`} className={linkClass}>
        See this sync<span className="sr-only"> of {pipeline.name}</span>
      </Link>
    </div>
  );
}

/**
 * "Run now" (starts a sync and opens its page; a sync already running is explained and linked)
 * and "Pause"/"Resume", in one row; what they say goes under the row, so the buttons never move.
 * `extra`: more buttons for the row (the detail page's Delete).
 */
export function PipelineActions({ pipeline, primary = false, extra }: { pipeline: PipelineView; primary?: boolean; extra?: ReactNode }) {
  const [, navigate] = useLocation();
  const run = useRunNow(pipeline.id);
  const patch = usePatchPipeline(pipeline.id);
  const [said, setSaid] = useState('');
  const runProblem = run.error ? runNowProblem(failureOf(run.error)) : undefined;
  const pauseFailure = patch.error ? failureOf(patch.error) : undefined;
  const start = () => {
    setSaid('');
    patch.reset();
    run.mutate(undefined, { onSuccess: (r) => navigate(`/runs/${r.run_id}`) });
  };
  const toggle = () => {
    setSaid('');
    run.reset();
    const enabled = !pipeline.enabled;
    patch.mutate(
      { enabled },
      {
        onSuccess: (p) =>
          setSaid(
            enabled
              ? p.schedule
                ? 'Resumed: it syncs on its schedule again.'
                : 'Resumed. It has no schedule, so it syncs when someone presses “Run now”.'
              : 'Paused: no sync runs on schedule until you resume it. “Run now” still works.',
          ),
      },
    );
  };
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={primary ? primaryButton : secondaryButton} disabled={run.isPending} onClick={start} data-testid="run-now">
          {run.isPending ? 'Starting…' : 'Run now'}
          <span className="sr-only"> {pipeline.name}</span>
        </button>
        <button type="button" className={secondaryButton} disabled={patch.isPending} onClick={toggle} data-testid="pause-toggle">
          {pipeline.enabled ? 'Pause' : 'Resume'}
          <span className="sr-only"> {pipeline.name}</span>
        </button>
        {extra}
      </div>
      <p role="status" className="text-sm text-slate-900" data-testid="pipeline-action-said">
        {said && <span className="mt-2 block">{said}</span>}
      </p>
      {runProblem && (
        <p role="alert" className="mt-2 max-w-prose text-sm text-red-800" data-testid="run-now-problem">
          {runProblem.message}{' '}
          {runProblem.runId && (
            <Link href={`/runs/${runProblem.runId}`} className={linkClass}>
              Open the running sync
            </Link>
          )}
        </p>
      )}
      {pauseFailure && (
        <div role="alert" className="mt-2 max-w-prose text-sm text-red-800">
          <p>
            {pipeline.enabled ? 'The pipeline was not paused' : 'The pipeline was not resumed'}: {pauseFailure.message}
          </p>
          {pauseFailure.detail?.fields && (
            <ul className="list-disc pl-5">
              {Object.entries(pauseFailure.detail.fields).map(([field, problems]) => (
                <li key={field}>
                  {field.startsWith('streams.') ? 'A table' : fieldName(field)}: {problems.join(' ')}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
