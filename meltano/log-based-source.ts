import type { SourceConnection } from './log-based-slot.js';

/** The one source whose change log Sluice reads: tap-postgres through wal2json. */
export const LOG_BASED_PLUGIN = 'tap-postgres';
/** Its label in the catalog (meltano.yml; catalog.test.ts holds them together): what a refusal tells people to add instead. */
export const LOG_BASED_LABEL = 'PostgreSQL (change log)';

type SslMode = SourceConnection['ssl'];

/** libpq's sslmode as postgres.js takes it; libpq (the tap's client) tries TLS first unless told otherwise. */
function sslOf(mode: unknown): SslMode {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return 'require';
    // verify-ca: the certificate must be trusted, the name it carries is not checked (libpq's meaning).
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return 'verify-full';
    default:
      return 'prefer';
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

/**
 * The connection the worker opens to handle a pipeline's replication slot, read from the very
 * config.json the tap is given, as tap-postgres 0.10.0 reads it (connection_parameters.py):
 * `sqlalchemy_url` when set, otherwise host, port, user, password and database. That config
 * is the connector's own, with its host already pinned to the address the network policy
 * approved (core/connectors/access-policy.ts), so this connection goes where the tap's does,
 * with the connector's credentials. Undefined when the config names no server.
 *
 * @example
 * sourceConnectionOf({ host: '203.0.113.9', port: 5432, user: 'u', password: 'p', database: 'shop' })
 * // { host: '203.0.113.9', port: 5432, user: 'u', password: 'p', database: 'shop', ssl: 'prefer' }
 */
export function sourceConnectionOf(config: Record<string, unknown>): SourceConnection | undefined {
  const url = text(config.sqlalchemy_url);
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (host === '' || database === '') return undefined;
    return {
      host,
      port: Number(parsed.port) || 5432,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database,
      ssl: sslOf(parsed.searchParams.get('sslmode') ?? undefined),
    };
  }
  const host = text(config.host);
  const database = text(config.database);
  if (!host || !database) return undefined;
  return {
    host,
    port: Number(config.port) || 5432,
    user: text(config.user) ?? '',
    password: text(config.password),
    database,
    ssl: sslOf(config.ssl_enable === true ? (config.ssl_mode ?? 'verify-full') : undefined),
  };
}
