import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * What we know of the client. Behind a reverse proxy the socket is the proxy's, so the
 * proxy's X-Forwarded-For / X-Forwarded-Proto are used — but only when the operator says the
 * proxy is trusted (SLUICE_TRUST_PROXY): otherwise any client could claim any address.
 * With one trusted proxy in front, the last entry is the one that proxy wrote.
 */
const lastEntry = (header: string | undefined) => header?.split(',').at(-1)?.trim() || undefined;

export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = lastEntry(c.req.header('x-forwarded-for'));
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}

export function requestIsHttps(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return trustProxy && lastEntry(c.req.header('x-forwarded-proto'))?.toLowerCase() === 'https';
}
