import type { Context } from 'hono';
import type { Actor } from './audit/service.js';
import type { AppEnv } from './deps.js';

/** Who a service call acts for: the tenant it is scoped to, and who to name in the audit log. */
export type Acting = { tenantId: string; tenantSlug: string; actor: Actor; requestId?: string | undefined };

export function actingFrom(c: Context<AppEnv>): Acting {
  const principal = c.get('principal');
  return { tenantId: principal.tenantId, tenantSlug: principal.tenantSlug, actor: principal.actor, requestId: c.get('requestId') };
}
