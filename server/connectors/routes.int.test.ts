import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyringFrom } from '../../db/keyring.js';
import * as schema from '../../db/schema/index.js';
import { createTestApp } from '../../e2e/test-app.js';
import { createApp } from '../app.js';

// Issue 9, defect 8: the connector list asked the catalog once per connector on the page.
describe('GET /connectors', async () => {
  const t = await createTestApp();
  // A second app over a pool that records every statement it sends.
  let statements: string[] = [];
  const counted = postgres(t.env.DATABASE_URL, { max: 2, onnotice: () => {}, debug: (_connection, query) => void statements.push(query) });
  const app = createApp({ db: drizzle(counted, { schema }), redis: t.redis, queue: t.queue, keyring: keyringFrom(t.env), log: pino({ level: 'silent' }), queuePrefix: t.env.SLUICE_QUEUE_PREFIX });
  let tenant: Awaited<ReturnType<typeof t.tenantWithTokens>>;

  beforeAll(async () => {
    tenant = await t.tenantWithTokens('conn-list');
  });
  afterAll(async () => {
    await counted.end({ timeout: 5 });
    await t.close();
  });

  const create = async (n: number, from: number) => {
    for (let i = from; i < from + n; i++) {
      const made = i % 2 === 0
        ? await t.call(tenant.admin, 'POST', '/connectors', { name: `pg ${i}`, plugin: 'tap-postgres', config: { host: '127.0.0.1', port: 5433, user: 'postgres', password: `pw-${i}`, database: 'x' } })
        : await t.call(tenant.admin, 'POST', '/connectors', { name: `jsonl ${i}`, plugin: 'tap-jsonl', config: { path: `f${i}.jsonl`, stream_name: `s${i}` } });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
  };
  const listPage = async () => {
    statements = [];
    const res = await app.request('/api/v1/connectors?limit=200', { headers: { authorization: `Bearer ${tenant.viewer}` } });
    expect(res.status).toBe(200);
    // Auth may also write (a token's last use, now and then): count what the page itself asks.
    const catalogQueries = statements.filter((q) => /from "plugins"/i.test(q)).length;
    const connectorQueries = statements.filter((q) => /from "connectors"/i.test(q)).length;
    return { catalogQueries, connectorQueries, body: (await res.json()) as { data: Array<{ plugin: string; secrets: Record<string, { has_value: boolean }> }> } };
  };

  it('asks the catalog once for a page of 2 connectors and once for a page of 30', async () => {
    await create(2, 0);
    const small = await listPage();
    await create(28, 2);
    const large = await listPage();
    expect(small.body.data).toHaveLength(2);
    expect(large.body.data).toHaveLength(30);
    expect([small.catalogQueries, small.connectorQueries]).toEqual([1, 1]);
    expect([large.catalogQueries, large.connectorQueries]).toEqual([1, 1]);
    // still shows each connector's secrets from its own plugin's schema
    for (const c of large.body.data) {
      if (c.plugin === 'tap-postgres') expect(c.secrets.password).toEqual({ value: expect.any(String), has_value: true });
      else expect(c.secrets).toEqual({});
    }
  });
});
