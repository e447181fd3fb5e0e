import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer } from 'react';
import { api, setCsrfToken } from './api.js';

export type Role = 'owner' | 'admin' | 'viewer';
/** One tenant the signed-in person belongs to (an API token: only its own). */
export type TenantChoice = { slug: string; name: string; role: Role };
export type Session = { tenant: { id?: string; slug: string; name?: string }; role: Role; actor: { label: string }; csrf_token: string | null; tenants: TenantChoice[] };

/** The session query, shared by `useSession` and whatever fetches it anew (a tenant switch). */
export const sessionQuery = {
  queryKey: ['session'],
  queryFn: async (): Promise<Session | null> => {
    try {
      const session = await api<Session>('/auth/session');
      setCsrfToken(session.csrf_token);
      return session;
    } catch (error) {
      if ((error as { status?: number }).status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
} as const;

/**
 * A query observer keeps the query it was built with until its component renders again, even
 * after `queryClient.clear()` removed it. When a new session query receives data (a switch, a
 * sign-out), render again so the observer takes it up.
 */
function useRenderOnNewSession() {
  const client = useQueryClient();
  const [, render] = useReducer((n: number) => n + 1, 0);
  useEffect(
    () =>
      client.getQueryCache().subscribe((event) => {
        if (event.type === 'updated' && event.action.type === 'success' && event.query.queryKey[0] === 'session') render();
      }),
    [client],
  );
}

/** Who is signed in: undefined while asking, null when nobody is. */
export function useSession() {
  useRenderOnNewSession();
  const query = useQuery(sessionQuery);
  return query.isPending ? undefined : (query.data ?? null);
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    await api('/auth/sign-out', { method: 'POST' }).catch(() => undefined);
    setCsrfToken(null);
    client.clear();
    client.setQueryData(['session'], null);
  };
}

export const canChange = (session: Session | null | undefined) => session?.role === 'owner' || session?.role === 'admin';
