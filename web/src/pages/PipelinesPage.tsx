import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import { api } from '../api.js';
import { canChange, useSession } from '../session.js';
import type { Page } from '../types.js';
import { card, secondaryButton } from '../ui/styles.js';
import { scheduleInWords } from '../wizard/schedule-words.js';

type Pipeline = { id: string; name: string; enabled: boolean; schedule: { cron: string; timezone: string } | null; next_runs?: string[]; streams: Array<{ stream: string; sync_mode?: string }> };
type RunSummary = { id: string; status: string; rows_loaded: number | null; duration_seconds: number | null; queued_at: string };

function LastRun({ pipelineId }: { pipelineId: string }) {
  const runs = useQuery({ queryKey: ['runs', pipelineId], queryFn: () => api<Page<RunSummary>>(`/runs?pipeline_id=${pipelineId}&limit=1`).then((r) => r.data) });
  const last = runs.data?.[0];
  if (!last) return <p className="text-sm text-slate-700">Not run yet</p>;
  return (
    <p className="text-sm text-slate-800">
      Last sync: <Link href={`/runs/${last.id}`} className="text-blue-800 underline">{last.status}</Link>
      {last.rows_loaded !== null && `, ${last.rows_loaded.toLocaleString()} rows`}
      {last.duration_seconds !== null && ` in ${Math.round(last.duration_seconds)} s`}
    </p>
  );
}

function RunNow({ pipeline }: { pipeline: Pipeline }) {
  const [, navigate] = useLocation();
  const run = useMutation({ mutationFn: () => api<{ run_id: string }>(`/pipelines/${pipeline.id}/runs`, { method: 'POST' }), onSuccess: (r) => navigate(`/runs/${r.run_id}`) });
  return (
    <>
      <button type="button" className={secondaryButton} disabled={run.isPending} onClick={() => run.mutate()}>
        Run now<span className="sr-only"> {pipeline.name}</span>
      </button>
      {run.error && <p role="alert" className="text-sm text-red-800">{run.error.message}</p>}
    </>
  );
}

export function PipelinesPage() {
  const session = useSession();
  const pipelines = useQuery({ queryKey: ['pipelines'], queryFn: () => api<Page<Pipeline>>('/pipelines?limit=100').then((r) => r.data) });
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title" className="mb-4 text-2xl font-semibold">Pipelines</h1>
      {pipelines.error && <p role="alert" className="text-red-800">Your pipelines could not be loaded: {pipelines.error.message}</p>}
      {pipelines.data?.length === 0 && <p>No pipelines yet. Add an integration: its last step creates one.</p>}
      <ul className="grid gap-3 md:grid-cols-2">
        {pipelines.data?.map((p) => {
          const words = p.schedule ? scheduleInWords(p.schedule.cron, p.schedule.timezone) : null;
          return (
            <li key={p.id} className={card} data-testid="pipeline-card">
              <h2 className="font-semibold">{p.name}</h2>
              <p className="text-sm text-slate-800">{!words ? 'Runs only when started' : 'words' in words ? words.words : p.schedule?.cron}{!p.enabled && ' — paused'}</p>
              <p className="text-sm text-slate-700">{p.streams.length} {p.streams.length === 1 ? 'table' : 'tables'}</p>
              <LastRun pipelineId={p.id} />
              {canChange(session) && <div className="mt-3"><RunNow pipeline={p} /></div>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
