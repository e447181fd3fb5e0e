import type { Context } from 'hono';
import type { Acting } from '../core/acting.js';
import type { AppEnv } from './deps.js';

export function actingFrom(c: Context<AppEnv>): Acting {
  const principal = c.get('principal');
  return { tenantId: principal.tenantId, tenantSlug: principal.tenantSlug, actor: principal.actor, requestId: c.get('requestId') };
}
