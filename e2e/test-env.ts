import { localEnv, sourceAllowance } from '../scripts/local-env.js';

/** Tests use their own database beside the configured one (`sluice` → `sluice_test`). */
export function testDatabaseUrl(databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sluice'): string {
  const url = new URL(databaseUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}_test`;
  return url.toString();
}

/**
 * The environment for test processes: local defaults, the test database, a queue prefix of
 * the test's own, and connectors allowed to reach the sources' PostgreSQL and nothing else
 * local (`allowNetworks` adds what one test needs, e.g. its own fake server's port), and no
 * reconciler in worker processes.
 */
export async function testEnv(overrides: Record<string, string> = {}, allowNetworks: string[] = []): Promise<Record<string, string>> {
  const base = await localEnv();
  return {
    ...base,
    DATABASE_URL: testDatabaseUrl(base.DATABASE_URL),
    SLUICE_QUEUE_PREFIX: `t${Math.random().toString(36).slice(2, 10)}`,
    LOG_LEVEL: 'warn',
    // Test processes share one database across many queue prefixes: a reconciler would take
    // every other test's runs for lost ones. Its tests run passes themselves.
    SLUICE_RECONCILE_SECONDS: '0',
    SLUICE_ALLOWED_SOURCE_NETWORKS: [sourceAllowance(base), ...allowNetworks].join(','),
    ...overrides,
  };
}
