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

// Issue 10: each stream offers its replication methods, candidate keys and sync modes, with a default.
describe('GET /connectors/:id/streams', async () => {
  const t = await createTestApp();
  let tenant: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  afterAll(() => t.close());
  beforeAll(async () => {
    tenant = await t.tenantWithTokens('conn-streams');
  });

  /** What meltanolabs-tap-postgres 0.10.0 discovers for `orders (id int primary key, updated_at timestamptz, note text)`. */
  const catalog = {
    streams: [
      {
        tap_stream_id: 'public-orders',
        stream: 'public-orders',
        table_name: 'orders',
        replication_method: '',
        key_properties: ['id'],
        schema: { type: 'object', properties: { id: { type: ['integer'] }, updated_at: { format: 'date-time', type: ['string', 'null'] }, note: { type: ['string', 'null'] } } },
        metadata: [
          { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } },
          { breadcrumb: [], metadata: { inclusion: 'available', 'table-key-properties': ['id'], 'forced-replication-method': '', 'schema-name': 'public' } },
        ],
      },
    ],
  };

  it('serves a discovery stored by an older Sluice (its streams column in the old shape) in the new shape, log-based included', async () => {
    const made = await t.call(tenant.admin, 'POST', '/connectors', { name: 'pg', plugin: 'tap-postgres', config: { host: '127.0.0.1', port: 5433, user: 'postgres', password: 'pw', database: 'x' } });
    const oldView = [{ stream: 'public-orders', properties: catalog.streams[0]!.schema.properties, key_properties: ['id'], replication_keys: [], replication_methods: ['FULL_TABLE'] }];
    await t.db.insert(schema.connectorCatalogs).values({ connectorId: made.body.id, tenantId: tenant.tenant.id, catalog, streams: oldView });
    const res = await t.call(tenant.viewer, 'GET', `/connectors/${made.body.id}/streams`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        stream: 'public-orders',
        properties: catalog.streams[0]!.schema.properties,
        key_properties: ['id'],
        replication_keys: ['updated_at', 'id'],
        replication_methods: ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'],
        sync_modes: [
          { sync_mode: 'full_refresh_overwrite', label: 'Replace all data', description: expect.any(String) },
          { sync_mode: 'full_refresh_append', label: 'Append a full copy each time', description: expect.any(String) },
          { sync_mode: 'incremental_append', label: 'Add new and changed rows', description: expect.any(String) },
          { sync_mode: 'incremental_deduped', label: 'Keep the latest version of each row', description: expect.any(String) },
        ],
        default: { sync_mode: 'incremental_deduped', replication_key: 'updated_at' },
      },
    ]);
    expect(typeof res.body.discovered_at).toBe('string');
  });

  it('answers 404 in plain words before any discovery', async () => {
    const made = await t.call(tenant.admin, 'POST', '/connectors', { name: 'pg2', plugin: 'tap-postgres', config: { host: '127.0.0.1', port: 5433, user: 'postgres', password: 'pw', database: 'x' } });
    const res = await t.call(tenant.viewer, 'GET', `/connectors/${made.body.id}/streams`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/not been discovered yet/);
  });
});
