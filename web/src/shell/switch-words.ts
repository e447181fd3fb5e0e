import type { Role } from '../session.js';

export const roleLabels: Record<Role, string> = { owner: 'Owner', admin: 'Admin', viewer: 'Viewer' };

/** A workspace in the switcher's list: its name and the person's role there. */
export const workspaceOption = (tenant: { name: string; role: Role }) => `${tenant.name} (${roleLabels[tenant.role]})`;

/** What went wrong with a switch, in words a person can act on. */
export function switchProblem(error: unknown, name: string): string {
  const status = (error as { status?: number } | null)?.status;
  if (status === undefined) return `Sluice could not be reached, so you are still in this workspace. Check your connection and try again.`;
  if (status === 401) return 'Your session has ended. Sign in again to open a workspace.';
  if (status === 404) return `You are no longer a member of ${name}. Reload the page to see the workspaces you belong to.`;
  const message = error instanceof Error ? error.message : '';
  return message ? `Could not switch to ${name}: ${message}` : `Could not switch to ${name}. Try again.`;
}
