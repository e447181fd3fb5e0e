/** What the pipeline pages ask the API, through TanStack Query. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.js';
import type { Connector, Page } from '../types.js';
import { isActive } from './words.js';
import type { PipelineView, RunView, StateHistoryPage, StreamInput, StreamOffers } from './types.js';

/**
 * Keys: everything under `pipelines` (the wizard invalidates that after creating one) or `runs`
 * (so a run page's changes refresh the lists here too); `list`/`one`/`state`/`pipeline` keep
 * these apart from other pages' caches under the same roots.
 */
export const keys = {
  list: ['pipelines', 'list'] as const,
  one: (id: string) => ['pipelines', 'one', id] as const,
  state: (id: string) => ['pipelines', 'state', id] as const,
  lastRun: (id: string) => ['runs', 'pipeline', id, 'last'] as const,
  runs: (id: string) => ['runs', 'pipeline', id, 'history'] as const,
  connectorNames: ['pipelines', 'connector-names'] as const,
  offers: (connectorId: string) => ['pipelines', 'offers', connectorId] as const,
};

/** How often a list with an unfinished sync asks again, so its status moves on by itself. */
const POLL_MS = 3_000;
const noRetryOn404 = (failures: number, error: Error) => (error as { status?: number }).status !== 404 && failures < 1;
const path = (id: string) => `/pipelines/${encodeURIComponent(id)}`;

export const usePipelines = () => useQuery({ queryKey: keys.list, queryFn: () => api<Page<PipelineView>>('/pipelines?limit=200') });

export const usePipeline = (id: string) => useQuery({ queryKey: keys.one(id), queryFn: () => api<PipelineView>(path(id)), retry: noRetryOn404 });

/** Connection names by id, for "from <connection>". */
export const useConnectorNames = () =>
  useQuery({
    queryKey: keys.connectorNames,
    queryFn: () => api<Page<Connector>>('/connectors?limit=200'),
    select: (page) => new Map(page.data.map((c) => [c.id, c.name])),
    staleTime: 60_000,
  });

/** What each table of the source offers (modes, candidate columns); 404 while the source was never looked at. */
export const useStreamOffers = (connectorId: string | undefined) =>
  useQuery({
    queryKey: keys.offers(connectorId ?? ''),
    queryFn: () => api<StreamOffers>(`/connectors/${encodeURIComponent(connectorId ?? '')}/streams`),
    enabled: connectorId !== undefined,
    retry: noRetryOn404,
    staleTime: 60_000,
  });

/** The pipeline's newest sync, asked again while it is unfinished. */
export const useLastRun = (pipelineId: string) =>
  useQuery({
    queryKey: keys.lastRun(pipelineId),
    queryFn: () => api<Page<RunView>>(`/runs?pipeline_id=${encodeURIComponent(pipelineId)}&kind=sync&limit=1`).then((r) => r.data[0] ?? null),
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.status) ? POLL_MS : false),
  });

/** The pipeline's syncs, newest first, a page at a time; asked again while the newest is unfinished. */
export const useRunHistory = (pipelineId: string) =>
  useInfiniteQuery({
    queryKey: keys.runs(pipelineId),
    queryFn: ({ pageParam }) => api<Page<RunView>>(`/runs?pipeline_id=${encodeURIComponent(pipelineId)}&kind=sync&limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages[0]?.data.some((r) => isActive(r.status)) ? POLL_MS : false),
  });

/** The saved progress after each sync, newest first, a page at a time. */
export const useStateHistory = (pipelineId: string) =>
  useInfiniteQuery({
    queryKey: keys.state(pipelineId),
    queryFn: ({ pageParam }) => api<StateHistoryPage>(`${path(pipelineId)}/state?limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Syncs change it behind this page's back: coming back to the page always asks again.
    refetchOnMount: 'always',
  });

export type PipelinePatch = { enabled?: boolean; schedule?: { cron: string; timezone: string } | null; streams?: StreamInput[] };

/** PATCH /pipelines/:id; the answer replaces the cached pipeline, and the list is asked again. */
export function usePatchPipeline(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: PipelinePatch) => api<PipelineView>(path(id), { method: 'PATCH', body: JSON.stringify(patch) }),
    onSuccess: (pipeline) => {
      client.setQueryData(keys.one(id), pipeline);
      // The list shows the change at once, then asks the server again.
      client.setQueryData<Page<PipelineView>>(keys.list, (page) => page && { ...page, data: page.data.map((p) => (p.id === id ? pipeline : p)) });
      void client.invalidateQueries({ queryKey: keys.list });
    },
  });
}

/** POST /pipelines/:id/runs: the new run's id. */
export function useRunNow(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ run_id: string }>(`${path(id)}/runs`, { method: 'POST' }),
    onSettled: () => client.invalidateQueries({ queryKey: ['runs', 'pipeline', id] }),
  });
}

export function useDeletePipeline(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>(path(id), { method: 'DELETE' }),
    // Only the list: the page showing this pipeline is still mounted until it navigates away, and asking for it again would only get a 404.
    onSuccess: () => client.invalidateQueries({ queryKey: keys.list }),
  });
}

/** Roll back (`{ state_id }`) or start over (no argument); the history is asked again after. */
export function useChangeState(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (stateId: number | null) =>
      stateId === null ? api(`${path(id)}/state`, { method: 'DELETE' }) : api(`${path(id)}/state/rollback`, { method: 'POST', body: JSON.stringify({ state_id: stateId }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.state(id) }),
  });
}
