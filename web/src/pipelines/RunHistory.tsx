import { Link } from 'wouter';
import { formatDateTime } from '../runs/format.js';
import { triggerLabel, whatRan } from '../runs/words.js';
import { secondaryButton } from '../ui/styles.js';
import { linkClass, StatusPill } from './PipelineParts.js';
import { useRunHistory } from './queries.js';
import { runFacts } from './words.js';

/** A missing value: a dash to see, a word to hear. */
const none = (
  <>
    <span aria-hidden="true">—</span>
    <span className="sr-only">none</span>
  </>
);

/** The pipeline's syncs, newest first: when, how it went, rows, how long, and a link to each. */
export function RunHistory({ pipelineId }: { pipelineId: string }) {
  const history = useRunHistory(pipelineId);
  const runs = history.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section aria-labelledby="runs-title" className="space-y-3">
      <h2 id="runs-title" className="text-xl font-semibold text-slate-900">
        Sync history
      </h2>
      {history.isPending && <p className="text-slate-900">Loading the syncs…</p>}
      {history.isError && !history.data && (
        <p role="alert" className="text-red-800">
          The syncs could not be loaded: {history.error.message} Reload the page to try again.
        </p>
      )}
      {history.data && runs.length === 0 && <p className="text-slate-900">This pipeline has not synced yet. Press “Run now” to start its first sync.</p>}
      {runs.length > 0 && (
        <div className="overflow-x-auto rounded border border-slate-300" role="region" aria-label="Table of syncs (scrolls sideways on small screens)" tabIndex={0}>
          <table className="min-w-full text-left text-sm text-slate-900" data-testid="run-history">
            <caption className="sr-only">Syncs of this pipeline, newest first</caption>
            <thead className="bg-slate-100">
              <tr>
                <th scope="col" className="px-3 py-2 font-semibold">Started</th>
                <th scope="col" className="px-3 py-2 font-semibold">Status</th>
                <th scope="col" className="px-3 py-2 font-semibold">Rows loaded</th>
                <th scope="col" className="px-3 py-2 font-semibold">Took</th>
                <th scope="col" className="px-3 py-2 font-semibold">How it started</th>
                <th scope="col" className="px-3 py-2 font-semibold"><span className="sr-only">Details</span></th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const facts = runFacts(run);
                const when = formatDateTime(run.started_at ?? run.queued_at);
                return (
                  <tr key={run.id} className="border-t border-slate-200" data-testid="run-history-row" data-run-id={run.id}>
                    <td className="whitespace-nowrap px-3 py-2">
                      {when}
                      {run.params.full_refresh && <span className="block text-slate-800">{whatRan(run)}</span>}
                    </td>
                    <td className="px-3 py-2">
                      <StatusPill status={run.status} />
                    </td>
                    <td className="px-3 py-2 tabular-nums">{facts.rows ?? none}</td>
                    <td className="px-3 py-2 tabular-nums">{facts.duration ?? none}</td>
                    <td className="px-3 py-2">{triggerLabel[run.trigger]}</td>
                    <td className="px-3 py-2">
                      <Link href={`/runs/${run.id}`} className={linkClass}>
                        Details<span className="sr-only"> of the sync started {when}</span>
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {history.hasNextPage && (
        <button type="button" className={secondaryButton} disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
          {history.isFetchingNextPage ? 'Loading older syncs…' : 'Show older syncs'}
        </button>
      )}
    </section>
  );
}
