import { Link } from 'wouter';
import { canChange, useSession } from '../session.js';
import { card } from '../ui/styles.js';
import { LastRun, linkClass, PausedBadge, PipelineActions, ScheduleFacts } from './PipelineParts.js';
import { useConnectorNames, usePipelines } from './queries.js';

/**
 * Every pipeline of the organisation: where it reads from, when it syncs (in words, with the
 * next syncs), whether it is paused, and how its last sync went. Admins and owners can start a
 * sync and pause or resume; everyone can open a pipeline for its tables, schedule and history.
 */
export function PipelinesPage() {
  const session = useSession();
  const pipelines = usePipelines();
  const names = useConnectorNames();
  const list = pipelines.data?.data;
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title" className="mb-4 text-2xl font-semibold text-slate-900">
        Pipelines
      </h1>
      {pipelines.isPending && <p className="text-slate-900">Loading your pipelines…</p>}
      {pipelines.error && (
        <p role="alert" className="text-red-800">
          Your pipelines could not be loaded: {pipelines.error.message} Reload the page to try again.
        </p>
      )}
      {list?.length === 0 && (
        <div className={card}>
          <p className="text-slate-900">No pipelines yet. Add an integration: its last step creates a pipeline that copies your data on a schedule.</p>
        </div>
      )}
      {list && list.length > 0 && (
        <ul className="grid gap-3 lg:grid-cols-2" aria-label="Your pipelines">
          {list.map((p) => (
            <li key={p.id} className={`${card} flex flex-col gap-2`} data-testid="pipeline-card" data-pipeline-id={p.id}>
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div>
                  <h2 className="text-lg font-semibold text-slate-900">
                    <Link href={`/pipelines/${p.id}`} className={linkClass}>
                      {p.name}
                    </Link>
                  </h2>
                  <p className="text-sm text-slate-800">
                    From {names.data?.get(p.source_connector_id) ?? 'a connection'} · {p.streams.length} {p.streams.length === 1 ? 'table' : 'tables'}
                  </p>
                </div>
                {!p.enabled && <PausedBadge />}
              </div>
              <ScheduleFacts pipeline={p} />
              <LastRun pipeline={p} />
              {canChange(session) && (
                <div className="mt-1">
                  <PipelineActions pipeline={p} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {pipelines.data?.next_cursor && <p className="mt-4 text-sm text-slate-800">Showing the newest {list?.length} pipelines.</p>}
    </section>
  );
}
