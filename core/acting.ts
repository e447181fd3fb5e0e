import type { Actor } from './audit/service.js';

/** Who a service call acts for: the tenant it is scoped to, and who to name in the audit log. */
export type Acting = { tenantId: string; tenantSlug: string; actor: Actor; requestId?: string | undefined };
