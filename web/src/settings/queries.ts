import { useQuery } from '@tanstack/react-query';
import { api } from '../api.js';
import type { ApiToken, Invitation, Member } from './types.js';

/** Query keys of this page, all under 'settings' so one invalidation refreshes the lot. */
export const settingsKeys = {
  all: ['settings'] as const,
  members: ['settings', 'members'] as const,
  invitations: ['settings', 'invitations'] as const,
  tokens: ['settings', 'tokens'] as const,
  audit: ['settings', 'audit'] as const,
  names: ['settings', 'names'] as const,
  pluginLabels: ['settings', 'plugin-labels'] as const,
};

export const useMembers = () => useQuery({ queryKey: settingsKeys.members, queryFn: () => api<{ data: Member[] }>('/members').then((r) => r.data) });

export const useInvitations = (enabled: boolean) =>
  useQuery({ queryKey: settingsKeys.invitations, queryFn: () => api<{ data: Invitation[] }>('/members/invitations').then((r) => r.data), enabled });

export const useTokens = () => useQuery({ queryKey: settingsKeys.tokens, queryFn: () => api<{ data: ApiToken[] }>('/tokens').then((r) => r.data) });

/** Names of connections and pipelines by id, so the audit log can say which one an event was about. Best effort: none on failure. */
export const useResourceNames = () =>
  useQuery({
    queryKey: settingsKeys.names,
    queryFn: async () => {
      const [connectors, pipelines] = await Promise.all([
        api<{ data: Array<{ id: string; name: string }> }>('/connectors?limit=200').catch(() => ({ data: [] })),
        api<{ data: Array<{ id: string; name: string }> }>('/pipelines?limit=200').catch(() => ({ data: [] })),
      ]);
      return new Map([...connectors.data, ...pipelines.data].map((r) => [r.id, r.name]));
    },
    staleTime: 60_000,
  });

/** What people call each plugin (its catalog label), by plugin name. */
export const usePluginLabels = () =>
  useQuery({
    queryKey: settingsKeys.pluginLabels,
    queryFn: () => api<{ data: Array<{ name: string; label: string }> }>('/catalog').then((r) => new Map(r.data.map((p) => [p.name, p.label]))),
    staleTime: 300_000,
  });
