import { localEnv } from '../scripts/local-env.js';

/** Tests use their own database beside the configured one (`sluice` → `sluice_test`). */
export function testDatabaseUrl(databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sluice'): string {
  const url = new URL(databaseUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}_test`;
  return url.toString();
}

/** The environment for test processes: local defaults, the test database, and a queue prefix of the test's own. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const base = await localEnv();
  return {
    ...base,
    DATABASE_URL: testDatabaseUrl(base.DATABASE_URL),
    SLUICE_QUEUE_PREFIX: `t${Math.random().toString(36).slice(2, 10)}`,
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}
