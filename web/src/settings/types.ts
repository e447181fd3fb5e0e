/** The shapes the settings API sends (snake_case, as server/accounts, server/tenants and server/audit present them). */
export type Role = 'owner' | 'admin' | 'viewer';

export type Member = { id: string; email: string; name: string; role: Role; since: string };

export type Invitation = { id: string; email: string; role: Role; invited_by: string; created_at: string; expires_at: string; expired: boolean };
/** POST /members: the invitation plus its single-use token and the page that accepts it, shown once. */
export type InvitationCreated = Invitation & { token: string; accept_path: string };

export type ApiToken = { id: string; name: string; role: Role; created_at: string; last_used_at: string | null; revoked_at: string | null };
/** POST /tokens: the token itself, shown once. */
export type ApiTokenCreated = ApiToken & { token: string };

export type AuditEvent = {
  id: number;
  at: string;
  actor: { type: 'user' | 'token' | 'system'; id: string | null; label: string };
  action: string;
  resource: { type: string; id: string | null };
  changes: Record<string, unknown>;
  request_id: string | null;
};
export type AuditPage = { data: AuditEvent[]; next_cursor: string | null };
