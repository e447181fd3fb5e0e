import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './api.js';

export type Session = { tenant: { slug: string; name?: string }; role: 'owner' | 'admin' | 'viewer'; actor: { label: string }; csrf_token: string | null };

/** Who is signed in: undefined while asking, null when nobody is. */
export function useSession() {
  const query = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
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
  });
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
