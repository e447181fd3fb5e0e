import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDestinationDatabase } from '../core/pipelines/destination-database.js';
import * as tenants from '../core/tenants/service.js';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

// A hostile tenant B tries to load into tenant A's ClickHouse database, through the whole
// stack: the API refuses it on every way in, and B's own sync lands only in B's database.
// B's slug extends A's (`t-xxxx` and `t-xxxx-corp`), the case where a loose prefix rule
// would let one tenant's namespace cover another's.
describe('hostile tenant: another tenant’s destination database', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let tokenB = '';
  let dbA = '';
  let dbB = '';
  const clickhouse = () => createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
  const asB = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${stack.baseUrl}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${tokenB}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const tablesIn = async (database: string) => {
    const client = clickhouse();
    // (18.16 has no query parameters; these names are our own [a-z0-9_])
    const rows = await (await client.query({ query: `SELECT name FROM system.tables WHERE database = '${database.replace(/[^a-z0-9_]/g, '')}' ORDER BY name`, format: 'JSONEachRow' })).json<{ name: string }>();
    await client.close();
    return rows.map((r) => r.name);
  };
  const countIn = async (database: string, table: string) => {
    const client = clickhouse();
    const [row] = await (await client.query({ query: `SELECT count() AS n FROM \`${database}\`.\`${table}\``, format: 'JSONEachRow' })).json<{ n: string }>();
    await client.close();
    return Number(row?.n);
  };

  beforeAll(async () => {
    stack = await startStack();
    source = await sourceTable(stack.env.DATABASE_URL, 5);
    const tenantB = await tenants.createTenant(stack.db, `${stack.tenant.slug}-corp`);
    tokenB = (await tenants.createToken(stack.db, tenantB.id, 'attacker', 'admin')).token;
    dbA = defaultDestinationDatabase(stack.tenant.slug);
    dbB = defaultDestinationDatabase(tenantB.slug);
    expect(dbB.startsWith(`${dbA}_`)).toBe(true);
  });
  afterAll(async () => {
    await source?.drop();
    await stack?.stop();
  });

  it('refuses every way into A’s database and lands B’s sync in B’s own', async () => {
    // A loads its table first.
    const connectorA = await stack.api<{ id: string }>('POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: source.config });
    const pipelineA = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: 'a', source_connector_id: connectorA.body.id, streams: [{ stream: source.stream }] });
    expect(pipelineA.body.destination.database).toBe(dbA);
    const runA = await waitForRun(stack, (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineA.body.id}/runs`)).body.run_id);
    expect(runA.status, JSON.stringify(runA)).toBe('succeeded');
    const table = `public_${source.table}`;
    const tablesOfA = await tablesIn(dbA);
    expect(tablesOfA).toContain(table);
    const rowsOfA = await countIn(dbA, table);

    // B, with a source of its own.
    const connectorB = await asB('POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: source.config });
    expect(connectorB.status).toBe(201);
    const streams = [{ stream: source.stream }];
    for (const database of [dbA, `${dbA}__stolen`]) {
      const created = await asB('POST', '/pipelines', { name: 'steal', source_connector_id: connectorB.body.id, streams, destination_database: database });
      expect(created.status, database).toBe(400);
      expect(Object.keys(created.body.error.fields), database).toEqual(['destination_database']);
    }
    const own = await asB('POST', '/pipelines', { name: 'own', source_connector_id: connectorB.body.id, streams });
    expect(own.status).toBe(201);
    expect(own.body.destination.database).toBe(dbB);
    const patched = await asB('PATCH', `/pipelines/${own.body.id}`, { destination_database: dbA });
    expect(patched.status).toBe(400);
    expect(Object.keys(patched.body.error.fields)).toEqual(['destination_database']);

    // Through a ClickHouse connector of B's own (pointing at the same server): refused too.
    const chConnector = await asB('POST', '/connectors', { name: 'ch', plugin: 'target-clickhouse', config: { url: stack.env.CLICKHOUSE_URL, database: dbA } });
    expect(chConnector.status).toBe(400);
    expect(Object.keys(chConnector.body.error.fields)).toEqual(['database']);
    const chOwn = await asB('POST', '/connectors', { name: 'ch', plugin: 'target-clickhouse', config: { url: stack.env.CLICKHOUSE_URL, user: stack.env.CLICKHOUSE_USER } });
    expect(chOwn.status).toBe(201);
    const viaConnector = await asB('PATCH', `/pipelines/${own.body.id}`, { destination_connector_id: chOwn.body.id, destination_database: dbA });
    expect(viaConnector.status).toBe(400);
    expect((await asB('GET', `/pipelines/${own.body.id}`)).body.destination).toEqual({ type: 'platform_clickhouse', database: dbB });

    // B's sync runs, and lands in B's database only.
    const started = await asB('POST', `/pipelines/${own.body.id}/runs`);
    expect(started.status).toBe(202);
    const deadline = Date.now() + 180_000;
    let runB: any;
    do {
      await new Promise((r) => setTimeout(r, 300));
      runB = (await asB('GET', `/runs/${started.body.run_id}`)).body;
    } while (!['succeeded', 'failed', 'cancelled'].includes(runB.status) && Date.now() < deadline);
    expect(runB.status, JSON.stringify(runB)).toBe('succeeded');
    expect(await countIn(dbB, table)).toBe(5);
    expect(await tablesIn(dbA)).toEqual(tablesOfA);
    expect(await countIn(dbA, table)).toBe(rowsOfA);
  });
});
