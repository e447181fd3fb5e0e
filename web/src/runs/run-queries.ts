/** The run view and what the page asks about it, through TanStack Query. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.js';
import { isFinished, type RunView } from './types.js';

/** Under `runs`, so invalidating `['runs']` refreshes this too; `view` keeps it apart from lists keyed by another id. */
export const runQueryKey = (id: string) => ['runs', 'view', id] as const;

/** How often an unfinished run is asked for again: often enough that the status feels live. */
const POLL_MS = 2_000;

export function useRun(id: string) {
  return useQuery({
    queryKey: runQueryKey(id),
    queryFn: () => api<RunView>(`/runs/${encodeURIComponent(id)}`),
    // Not there, or not yours: asking again says the same. Anything else may pass: once more.
    retry: (failures, error) => ![403, 404].includes((error as { status?: number }).status ?? 0) && failures < 2,
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data.status) ? false : POLL_MS),
  });
}

/**
 * The name of what ran, for the heading. Keys of their own (not `pipelines`/`connectors`): this
 * page needs only the name, and must not mix its data with other pages' caches of those lists.
 */
export function useName(kind: 'pipelines' | 'connectors', id: string | null) {
  return useQuery({
    queryKey: ['run-page', kind, id],
    queryFn: () => api<{ name: string }>(`/${kind}/${encodeURIComponent(id ?? '')}`),
    select: (found) => found.name,
    enabled: id !== null,
    staleTime: 5 * 60_000,
    // A deleted pipeline answers 404: asking again will not bring it back.
    retry: false,
  });
}

export function useCancelRun(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<RunView>(`/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
    onSuccess: (run) => client.setQueryData(runQueryKey(id), run),
    // A running run is stopped by its worker a few seconds later: poll picks that up, but ask now too.
    onSettled: () => client.invalidateQueries({ queryKey: runQueryKey(id) }),
  });
}
