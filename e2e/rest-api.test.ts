import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableName } from '../meltano/target-clickhouse/identifiers.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type StreamView = { stream: string; properties: Record<string, unknown>; key_properties: string[]; replication_keys: string[]; sync_modes: Array<{ sync_mode: string }> };
type RunView = { id: string; status: string; error?: string | null; rows_loaded?: number | null; lossy_values?: number | null };

type Order = {
  id: number;
  'order-no.': string;
  amount: number;
  quantity: number;
  active: boolean;
  note: string | null;
  tags: string[];
  customer?: { id: number; name: string; address: { city: string; zip: string | null } };
  updated_at: string;
};

const ORDERS = 230;
const PAGE_SIZE = 50;
const at = (second: number) => new Date(Date.UTC(2024, 0, 1) + second * 1000).toISOString().replace('.000Z', 'Z');
function makeOrder(id: number): Order {
  return {
    id,
    'order-no.': `SO-${String(id).padStart(5, '0')}`,
    amount: Math.round(id * 19.99 * 100) / 100,
    quantity: id % 7,
    active: id % 2 === 0,
    note: id % 5 === 0 ? null : id % 5 === 1 ? '' : `Zoë 🚀 "${id}", line\nbreak`,
    tags: id % 3 === 0 ? [] : ['a', `é${id}`],
    // A few orders have no customer at all: its columns are NULL, as for a customer whose zip is null.
    ...(id % 11 === 0 ? {} : { customer: { id: 1000 + (id % 13), name: `Client ${id % 13} 日本`, address: { city: id % 2 ? 'Zürich' : 'Paris', zip: id % 4 ? `80${id % 10}0` : null } } }),
    updated_at: at(id * 60),
  };
}

/**
 * An API the test runs on this machine: `GET /api/orders?page=N` (pages of 50, the records under
 * data.items, the next page's number in next_page; `since` keeps records changed at or after a
 * time), `GET /api/users` (a plain list). Every request is recorded.
 */
function startApi(orders: Map<number, Order>) {
  const requests: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://api.test');
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/orders') {
      const since = url.searchParams.get('since')?.replace(/Z?$/, 'Z');
      const all = [...orders.values()].filter((o) => !since || o.updated_at >= since).sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
      const page = Number(url.searchParams.get('page') ?? 1);
      const items = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
      return send(200, { data: { items }, next_page: page * PAGE_SIZE < all.length ? page + 1 : null, meta: { total: all.length } });
    }
    if (url.pathname === '/api/users') return send(200, [{ id: 1, email: 'ana@example.com', admin: true }, { id: 2, email: 'bo@example.com', admin: false }]);
    send(404, { error: 'not found' });
  });
  return { server, requests };
}

/** The tap's flattening (tap-rest-api-msdk's flatten_json): nested keys joined with _, "-" and "." as _, lists as JSON text. */
const ORDER_COLUMNS = ['id', 'order_no_', 'amount', 'quantity', 'active', 'note', 'tags', 'customer_id', 'customer_name', 'customer_address_city', 'customer_address_zip', 'updated_at'];
function flattened(order: Order): unknown[] {
  return [order.id, order['order-no.'], order.amount, order.quantity, order.active, order.note, order.tags, order.customer?.id ?? null, order.customer?.name ?? null, order.customer?.address.city ?? null, order.customer?.address.zip ?? null, order.updated_at];
}

// An HTTP API through a PyPI REST tap (tap-rest-api-msdk), end to end: a server the test runs,
// paginated, its records under a path, nested objects; synced through the API by the real worker
// and compared record by record; then records change and the next sync asks only for those.
describe('a REST API through tap-rest-api', () => {
  let stack: Stack;
  let clickhouse: ClickHouseClient;
  let api: ReturnType<typeof startApi>;
  let connectorId: string;
  const orders = new Map<number, Order>();
  const database = () => `sluice_${stack.tenant.slug.replace(/-/g, '_')}__api`;

  const sync = async (pipelineId: string) => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = (await waitForRun(stack, started.body.run_id, 180_000)) as unknown as RunView;
    expect(run.status, String(run.error)).toBe('succeeded');
    return run;
  };
  const loadedOrders = async () => {
    const rows = await (
      await clickhouse.query({ query: `SELECT ${ORDER_COLUMNS.map((c) => `\`${c}\``).join(', ')} FROM \`${database()}\`.\`${tableName('', 'orders')}\` FINAL ORDER BY id`, format: 'JSONEachRow' })
    ).json<Record<string, unknown>>();
    return rows.map((row) =>
      ORDER_COLUMNS.map((c) => {
        const value = row[c];
        if (c === 'tags') return JSON.parse(value as string); // a list arrives as its JSON text
        if (c === 'active') return value === true || value === 1; // UInt8 before ClickHouse 21.12
        if (c === 'updated_at') return value; // kept as the text the API sent (the tap declares no date format)
        if (typeof value === 'string' && /^-?\d+$/.test(value) && c !== 'order_no_' && c !== 'customer_address_zip') return Number(value); // Int64 as JSON text
        return value;
      }),
    );
  };

  beforeAll(async () => {
    for (let id = 1; id <= ORDERS; id += 1) orders.set(id, makeOrder(id));
    api = startApi(orders);
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    const port = (api.server.address() as AddressInfo).port;
    stack = await startStack({ workers: 1, allowNetworks: [`127.0.0.1/32:${port}`] });
    clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    const created = await stack.api<{ id: string }>('POST', '/connectors', {
      name: 'shop API',
      plugin: 'tap-rest-api',
      config: {
        api_url: `http://127.0.0.1:${port}/api`,
        streams: [
          { name: 'orders', path: '/orders', records_path: '$.data.items[*]', primary_keys: ['id'], replication_key: 'updated_at', source_search_field: 'since', source_search_query: '$last_run_date', num_inference_records: 100 },
          { name: 'users', path: '/users', primary_keys: ['id'] },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    connectorId = created.body.id;
  });
  afterAll(async () => {
    if (clickhouse && stack) {
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database()}` }).catch(() => undefined);
      await clickhouse.close();
    }
    await stack?.stop();
    await new Promise((resolve) => api?.server.close(resolve));
  });

  it('discovers each endpoint as a stream with its flattened fields, key and change field', async () => {
    const tested = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/test`);
    const test = (await waitForRun(stack, tested.body.run_id)) as unknown as RunView;
    expect(test.status, String(test.error)).toBe('succeeded');
    const streams = await stack.api<{ data: StreamView[] }>('GET', `/connectors/${connectorId}/streams`);
    expect(streams.body.data.map((s) => s.stream).sort()).toEqual(['orders', 'users']);
    const stream = streams.body.data.find((s) => s.stream === 'orders')!;
    expect(Object.keys(stream.properties).sort()).toEqual([...ORDER_COLUMNS].sort());
    expect(stream.key_properties).toEqual(['id']);
    expect(stream.replication_keys).toEqual(['updated_at']);
    expect(stream.sync_modes.map((m) => m.sync_mode)).toContain('incremental_deduped');
  });

  it('loads every record of every page, nested fields included, then asks only for what changed', async () => {
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', {
      name: 'api',
      source_connector_id: connectorId,
      destination_database: database(),
      streams: [
        { stream: 'orders', sync_mode: 'incremental_deduped', replication_key: 'updated_at' },
        { stream: 'users', sync_mode: 'full_refresh_overwrite' },
      ],
    });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    api.requests.length = 0;
    const first = await sync(pipeline.body.id);
    expect(first.rows_loaded).toBe(ORDERS + 2);
    expect(first.lossy_values ?? 0).toBe(0);
    // Five pages of orders, in order; before them, the tap reads a first page to guess the schema (it does on every run).
    const orderRequests = api.requests.filter((r) => r.startsWith('/api/orders')).map((r) => new URL(r, 'http://x').searchParams);
    expect(orderRequests.filter((q) => q.get('order_by') === 'updated_at').map((q) => q.get('page')), api.requests.join('\n')).toEqual([null, '2', '3', '4', '5']);
    expect(orderRequests.filter((q) => q.get('order_by') === null).every((q) => q.get('page') === null)).toBe(true);
    expect(await loadedOrders()).toEqual([...orders.values()].sort((a, b) => a.id - b.id).map(flattened));
    const users = await (await clickhouse.query({ query: `SELECT id, email, toString(admin) AS admin FROM \`${database()}\`.\`${tableName('', 'users')}\` FINAL ORDER BY id`, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    expect(users.map((u) => [Number(u.id), u.email, ['1', 'true'].includes(String(u.admin))])).toEqual([[1, 'ana@example.com', true], [2, 'bo@example.com', false]]);

    // Five orders change, three arrive; the next sync asks for records changed since its bookmark.
    const lastSecond = ORDERS * 60;
    for (const id of [3, 50, 99, 150, 200]) orders.set(id, { ...orders.get(id)!, note: `changed ${id} ✓`, amount: 0.1, updated_at: at(lastSecond + id) });
    for (const id of [231, 232, 233]) orders.set(id, { ...makeOrder(id), updated_at: at(lastSecond + 1000 + id) });
    api.requests.length = 0;
    const second = await sync(pipeline.body.id);
    const asked = api.requests.map((r) => new URL(r, 'http://x')).filter((u) => u.pathname === '/api/orders' && u.searchParams.has('since'));
    expect(asked.map((u) => u.searchParams.get('since')), api.requests.join('\n')).toEqual([at(lastSecond)]);
    // The bookmark's own record comes again (since is inclusive), plus the 8 changed and new, plus the 2 users.
    expect(second.rows_loaded).toBe(1 + 8 + 2);
    expect(await loadedOrders()).toEqual([...orders.values()].sort((a, b) => a.id - b.id).map(flattened));
  });
});
