import { useState } from 'react';
import { Link } from 'wouter';
import { formatDateTime } from '../runs/format.js';
import { secondaryButton } from '../ui/styles.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { linkClass } from './PipelineParts.js';
import { useChangeState, useRunHistory, useStateHistory } from './queries.js';
import type { PipelineView, RunView, StateEntry } from './types.js';
import { describeChanges, isActive, rollbackConsequences, rollbackTargetOf, startOverConsequences, stateEntryTitle } from './words.js';

const badge = 'inline-flex items-center rounded-full border px-2.5 py-0.5 text-sm font-semibold';

function Paragraphs({ lines }: { lines: string[] }) {
  return (
    <>
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </>
  );
}

/** When an entry happened, as the person reads it: a sync's start (as the sync history names it) when known, else when the entry was saved. */
const whenOf = (entry: Pick<StateEntry, 'run_id' | 'created_at'>, runs: Map<string, RunView>) => {
  const run = entry.run_id ? runs.get(entry.run_id) : undefined;
  return formatDateTime(run?.started_at ?? run?.queued_at ?? entry.created_at);
};

/**
 * The saved progress after each sync, newest first, with what changed; admins can roll back to
 * after an earlier sync, or start over, each confirmed in a dialog that says what happens.
 */
export function StateHistory({ pipeline, canEdit }: { pipeline: PipelineView; canEdit: boolean }) {
  const history = useStateHistory(pipeline.id);
  const runHistory = useRunHistory(pipeline.id);
  const change = useChangeState(pipeline.id);
  const [said, setSaid] = useState('');
  const entries = history.data?.pages.flatMap((p) => p.data) ?? [];
  const runs = new Map((runHistory.data?.pages.flatMap((p) => p.data) ?? []).map((r) => [r.id, r]));
  const newestRun = runHistory.data?.pages[0]?.data[0];
  const syncRunning = newestRun !== undefined && isActive(newestRun.status);
  const inUse = entries.findIndex((e) => !e.pending);

  return (
    <section aria-labelledby="state-title" className="space-y-3">
      <h2 id="state-title" className="text-xl font-semibold text-slate-900">
        Saved progress
      </h2>
      <p className="max-w-prose text-slate-900">
        After each sync, Sluice remembers how far it read each table, so the next sync reads only what is new. If rows went missing or look wrong in your warehouse, roll back to after an earlier sync: the next sync then reads everything changed since that sync again.
      </p>
      <p role="status" className="text-slate-900" data-testid="state-saved">
        {said}
      </p>
      {history.isPending && <p className="text-slate-900">Loading the saved progress…</p>}
      {history.isError && !history.data && (
        <p role="alert" className="text-red-800">
          The saved progress could not be loaded: {history.error.message} Reload the page to try again.
        </p>
      )}
      {history.data && entries.length === 0 && <p className="text-slate-900">Nothing is saved yet: the first sync reads every table from the beginning.</p>}
      {canEdit && entries.length > 0 && (
        <ConfirmDialog
          trigger="Start over"
          triggerTestId="start-over"
          title="Start over from the beginning?"
          body={<Paragraphs lines={startOverConsequences(pipeline.streams, syncRunning)} />}
          confirm="Yes, start over"
          pending="Starting over…"
          cancel="No, keep the progress"
          danger
          testId="start-over-dialog"
          onConfirm={async () => {
            setSaid('');
            await change.mutateAsync(null);
            setSaid('Done. The next sync reads every table from the beginning.');
          }}
          explain={(failure) => <p>Nothing changed: {failure.message}</p>}
        />
      )}
      {entries.length > 0 && (
        <ol className="space-y-3" aria-label="Saved progress, newest first">
          {entries.map((entry, i) => {
            const run = entry.run_id ? runs.get(entry.run_id) : undefined;
            const when = whenOf(entry, runs);
            const target = rollbackTargetOf(entry, entries.slice(i + 1));
            const running = entry.source === 'sync' && run !== undefined && isActive(run.status);
            const title = running ? `The sync of ${when}, still running: its progress so far` : stateEntryTitle(entry, when, target ? whenOf(target, runs) : undefined);
            const lines = entry.source === 'reset' ? [] : describeChanges(entry.changes, entry.state, entries[i + 1]?.state);
            const canRollBack = canEdit && entry.source === 'sync' && i > 0 && !running;
            return (
              <li key={entry.id} className="rounded border border-slate-300 p-3" data-testid="state-entry" data-state-id={entry.id} data-source={entry.source} data-pending={entry.pending}>
                <div className="flex flex-wrap items-center gap-2">
                  <h3 className="font-semibold text-slate-900">{title}</h3>
                  {i === inUse && !running && <span className={`${badge} border-green-600 bg-green-100 text-green-900`}>In use now</span>}
                  {entry.pending && <span className={`${badge} border-blue-500 bg-blue-100 text-blue-900`}>Used when the next sync starts</span>}
                  {run?.status === 'failed' && <span className={`${badge} border-red-500 bg-red-100 text-red-900`}>The sync failed: progress up to where it stopped</span>}
                </div>
                {lines.length > 0 && (
                  <ul className="mt-2 list-disc pl-5 text-sm text-slate-900" aria-label="What changed">
                    {lines.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                )}
                <div className="mt-2 flex flex-wrap items-center gap-3">
                  {entry.run_id && (
                    <Link href={`/runs/${entry.run_id}`} className={`${linkClass} text-sm`}>
                      See this sync<span className="sr-only"> of {when}</span>
                    </Link>
                  )}
                  {canRollBack && (
                    <ConfirmDialog
                      trigger={
                        <>
                          Roll back to after this sync<span className="sr-only"> of {when}</span>
                        </>
                      }
                      triggerTestId="roll-back"
                      title={`Roll back to after the sync of ${when}?`}
                      body={<Paragraphs lines={rollbackConsequences(when, pipeline.streams, syncRunning)} />}
                      confirm="Yes, roll back"
                      pending="Rolling back…"
                      cancel="No, keep the current progress"
                      testId="roll-back-dialog"
                      onConfirm={async () => {
                        setSaid('');
                        await change.mutateAsync(entry.id);
                        setSaid(`Rolled back. The next sync starts from where the sync of ${when} stopped.`);
                      }}
                      explain={(failure) => <p>{failure.status === 404 ? 'This saved progress no longer exists. Reload the page to see the current list.' : `Nothing changed: ${failure.message}`}</p>}
                    />
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {history.hasNextPage && (
        <button type="button" className={secondaryButton} disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
          {history.isFetchingNextPage ? 'Loading older progress…' : 'Show older progress'}
        </button>
      )}
    </section>
  );
}
