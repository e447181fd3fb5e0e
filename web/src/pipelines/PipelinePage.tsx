import { Link, useLocation } from 'wouter';
import { canChange, useSession } from '../session.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { LastRun, linkClass, PausedBadge, PipelineActions } from './PipelineParts.js';
import { useConnectorNames, useDeletePipeline, usePipeline } from './queries.js';
import { RunHistory } from './RunHistory.js';
import { ScheduleSection } from './ScheduleSection.js';
import { StateHistory } from './StateHistory.js';
import { StreamsSection } from './StreamsSection.js';
import type { PipelineView } from './types.js';
import { deleteProblem } from './words.js';

function DeletePipeline({ pipeline }: { pipeline: PipelineView }) {
  const [, navigate] = useLocation();
  const remove = useDeletePipeline(pipeline.id);
  return (
    <ConfirmDialog
      trigger="Delete pipeline"
      triggerTestId="delete-pipeline"
      title={`Delete “${pipeline.name}”?`}
      body={
        <>
          <p>Sluice stops syncing these tables and forgets this pipeline’s schedule and saved progress. This cannot be undone.</p>
          <p>Nothing is deleted from your warehouse: the data already copied stays there. The source connection stays too.</p>
        </>
      }
      confirm="Yes, delete the pipeline"
      pending="Deleting…"
      cancel="No, keep it"
      danger
      testId="delete-pipeline-dialog"
      onConfirm={async () => {
        await remove.mutateAsync();
        navigate('/pipelines');
      }}
      explain={(failure) => {
        const problem = deleteProblem(failure);
        return (
          <p>
            {problem.message}{' '}
            {problem.runId && (
              <Link href={`/runs/${problem.runId}`} className={linkClass}>
                Open the running sync
              </Link>
            )}
          </p>
        );
      }}
    />
  );
}

function destinationWords(pipeline: PipelineView) {
  return pipeline.destination.type === 'platform_clickhouse' ? `Your ClickHouse warehouse, database “${pipeline.destination.database}”` : `Your own ClickHouse, database “${pipeline.destination.database}”`;
}

/**
 * One pipeline, mounted at `/pipelines/:id`: where it reads from and writes to, its schedule
 * (editable), its tables and how each syncs (editable), its syncs, and its saved progress with
 * rollback. Changing anything is for admins and owners; viewers see the same without buttons.
 */
export function PipelinePage({ id }: { id: string }) {
  const session = useSession();
  const canEdit = canChange(session);
  const pipeline = usePipeline(id);
  const names = useConnectorNames();

  if (pipeline.data === undefined) {
    if (!pipeline.isError) return <p className="text-slate-900">Loading the pipeline…</p>;
    const gone = (pipeline.error as { status?: number }).status === 404;
    return (
      <div className="space-y-3">
        <p role="alert" className="text-red-800" data-testid="pipeline-error">
          {gone ? 'This pipeline does not exist: it may have been deleted, or it belongs to another organisation.' : `The pipeline could not be loaded: ${pipeline.error.message} Reload the page to try again.`}
        </p>
        <Link href="/pipelines" className={linkClass}>
          Go to all pipelines
        </Link>
      </div>
    );
  }
  const p = pipeline.data;
  return (
    <article aria-labelledby="pipeline-title" className="space-y-8" data-testid="pipeline-page" data-pipeline-id={p.id}>
      <header className="space-y-3">
        <Link href="/pipelines" className={`${linkClass} text-sm`}>
          All pipelines
        </Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="pipeline-title" className="break-words text-2xl font-semibold text-slate-900">
            {p.name}
          </h1>
          {!p.enabled && <PausedBadge />}
        </div>
        <dl className="grid gap-x-6 gap-y-2 text-slate-900 sm:grid-cols-[10rem_1fr]">
          <dt className="text-sm font-medium text-slate-800">From</dt>
          <dd>{names.data?.get(p.source_connector_id) ?? 'A source connection'}</dd>
          <dt className="text-sm font-medium text-slate-800">Into</dt>
          <dd>{destinationWords(p)}</dd>
          <dt className="text-sm font-medium text-slate-800">Tables</dt>
          <dd>
            {p.streams.length} {p.streams.length === 1 ? 'table' : 'tables'}
          </dd>
        </dl>
        <LastRun pipeline={p} />
        {canEdit && (
          <PipelineActions pipeline={p} primary extra={<DeletePipeline pipeline={p} />} />
        )}
      </header>
      <ScheduleSection pipeline={p} canEdit={canEdit} />
      <StreamsSection pipeline={p} canEdit={canEdit} />
      <RunHistory pipelineId={p.id} />
      <StateHistory pipeline={p} canEdit={canEdit} />
    </article>
  );
}
