import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorCatalogs, pipelines as pipelinesTable, runs as runsTable } from '../../db/schema/index.js';
import { createTestApp } from '../../e2e/test-app.js';
import * as tenants from '../../core/tenants/service.js';

// Pipelines over the HTTP surface, real Postgres and Redis, no worker (runs stay queued).
describe('pipelines API', async () => {
  const t = await createTestApp();
  // Two tenants whose slugs share a prefix: acme… and acme…-corp.
  const slugA = `ns${randomBytes(3).toString('hex')}`;
  const slugB = `${slugA}-corp`;
  const dbA = `sluice_${slugA}`;
  const dbB = `sluice_${slugA}_corp`;
  const tokens = { a: '', b: '' };
  const sources = { a: '', b: '', b2: '' };
  const pgConfig = { host: '127.0.0.1', port: 5432, user: 'postgres', password: 'x', database: 'x' };

  beforeAll(async () => {
    for (const [key, slug] of [['a', slugA], ['b', slugB]] as const) {
      const tenant = await tenants.createTenant(t.db, slug);
      tokens[key] = (await tenants.createToken(t.db, tenant.id, 'admin', 'admin')).token;
    }
    const connector = async (token: string, name: string) => ((await t.call(token, 'POST', '/connectors', { name, plugin: 'tap-postgres', config: pgConfig })).body as { id: string }).id;
    sources.a = await connector(tokens.a, 'src');
    sources.b = await connector(tokens.b, 'src');
    sources.b2 = await connector(tokens.b, 'src2');
  });
  afterAll(() => t.close());

  const streams = [{ stream: 'public-orders' }];
  const create = (token: string, body: Record<string, unknown>) => t.call(token, 'POST', '/pipelines', { name: `p-${randomBytes(3).toString('hex')}`, streams, ...body });

  describe("a tenant cannot load into another tenant's database", () => {
    it('refuses another tenant’s database on POST, naming destination_database', async () => {
      for (const database of [dbA, `${dbA}__sales`, 'default', 'system', 'sluice']) {
        const res = await create(tokens.b, { source_connector_id: sources.b, destination_database: database });
        expect(res.status, database).toBe(400);
        expect(Object.keys(res.body.error.fields), database).toEqual(['destination_database']);
      }
      // acme's prefix does not cover acme-corp's databases
      for (const database of [dbB, `${dbB}__x`, `${dbA}_corp_x`]) {
        const res = await create(tokens.a, { source_connector_id: sources.a, destination_database: database });
        expect(res.status, database).toBe(400);
        expect(res.body.error.fields.destination_database, database).toBeDefined();
      }
    });

    it('takes the default and named databases of the tenant’s own namespace', async () => {
      const byDefault = await create(tokens.b, { source_connector_id: sources.b });
      expect(byDefault.status).toBe(201);
      expect(byDefault.body.destination.database).toBe(dbB);
      const named = await create(tokens.a, { source_connector_id: sources.a, destination_database: `${dbA}__sales` });
      expect(named.status).toBe(201);
      expect(named.body.destination.database).toBe(`${dbA}__sales`);
    });

    it('refuses another tenant’s database on PATCH, and a stored one from before the rule', async () => {
      const { body: p } = await create(tokens.b, { source_connector_id: sources.b });
      const res = await t.call(tokens.b, 'PATCH', `/pipelines/${p.id}`, { destination_database: dbA });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields)).toEqual(['destination_database']);
      expect((await t.call(tokens.b, 'PATCH', `/pipelines/${p.id}`, { destination_database: `${dbB}__x` })).body.destination.database).toBe(`${dbB}__x`);
      // saved before the rule existed: any change must first move it home
      await t.db.update(pipelinesTable).set({ destinationDatabase: dbA }).where(eq(pipelinesTable.id, p.id));
      const stale = await t.call(tokens.b, 'PATCH', `/pipelines/${p.id}`, { enabled: false });
      expect(stale.status).toBe(400);
      expect(stale.body.error.fields.destination_database).toBeDefined();
    });

    it('holds for a tenant’s own ClickHouse connector: the pipeline’s and the connector’s database', async () => {
      const foreign = await t.call(tokens.b, 'POST', '/connectors', { name: 'ch-bad', plugin: 'target-clickhouse', config: { url: 'http://127.0.0.1:8123', database: dbA } });
      expect(foreign.status).toBe(400);
      expect(Object.keys(foreign.body.error.fields)).toEqual(['database']);
      const own = await t.call(tokens.b, 'POST', '/connectors', { name: 'ch', plugin: 'target-clickhouse', config: { url: 'http://127.0.0.1:8123', database: dbB } });
      expect(own.status).toBe(201);
      const patched = await t.call(tokens.b, 'PATCH', `/connectors/${own.body.id}`, { config: { database: `${dbA}__x` } });
      expect(patched.status).toBe(400);
      expect(Object.keys(patched.body.error.fields)).toEqual(['database']);
      const res = await create(tokens.b, { source_connector_id: sources.b, destination_connector_id: own.body.id, destination_database: dbA });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields)).toEqual(['destination_database']);
    });
  });

  it('keeps every change of 7 concurrent PATCHes of different fields', async () => {
    const destination = await t.call(tokens.b, 'POST', '/connectors', { name: `ch-${randomBytes(3).toString('hex')}`, plugin: 'target-clickhouse', config: { url: 'http://127.0.0.1:8123' } });
    for (let round = 0; round < 3; round += 1) {
      const { body: p } = await create(tokens.b, { source_connector_id: sources.b });
      const name = `renamed-${randomBytes(3).toString('hex')}`;
      const patches = [
        { name },
        { enabled: false },
        { schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' } },
        { streams: [{ stream: 'public-customers' }] },
        { destination_database: `${dbB}__concurrent` },
        { destination_connector_id: destination.body.id },
        { source_connector_id: sources.b2 },
      ];
      const answers = await Promise.all(patches.map((patch) => t.call(tokens.b, 'PATCH', `/pipelines/${p.id}`, patch)));
      expect(answers.map((a) => a.status)).toEqual(patches.map(() => 200));
      const { body: after } = await t.call(tokens.b, 'GET', `/pipelines/${p.id}`);
      expect(after).toMatchObject({
        name,
        enabled: false,
        schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
        streams: [{ stream: 'public-customers' }],
        destination: { type: 'connector', connector_id: destination.body.id, database: `${dbB}__concurrent` },
        source_connector_id: sources.b2,
      });
    }
  });

  it('refuses to delete a pipeline while a sync of it is queued or running, and keeps its runs after', async () => {
    const { body: p } = await create(tokens.b, { source_connector_id: sources.b });
    const { body: queued } = await t.call(tokens.b, 'POST', `/pipelines/${p.id}/runs`);
    const refused = await t.call(tokens.b, 'DELETE', `/pipelines/${p.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/Cancel that run first/);
    await t.db.update(runsTable).set({ status: 'running', startedAt: new Date() }).where(eq(runsTable.id, queued.run_id));
    expect((await t.call(tokens.b, 'DELETE', `/pipelines/${p.id}`)).status).toBe(409);
    expect((await t.call(tokens.b, 'GET', `/pipelines/${p.id}`)).status).toBe(200);

    await t.db.update(runsTable).set({ status: 'cancelled', finishedAt: new Date() }).where(eq(runsTable.id, queued.run_id));
    expect((await t.call(tokens.b, 'DELETE', `/pipelines/${p.id}`)).status).toBe(204);
    const run = await t.call(tokens.b, 'GET', `/runs/${queued.run_id}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id: queued.run_id, pipeline_id: null, status: 'cancelled' });
  });

  it('refuses a state nested too deep or too large with a 400 naming state', async () => {
    const { body: p } = await create(tokens.b, { source_connector_id: sources.b });
    const deep = (depth: number) => `{"state":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    for (const body of [deep(10_000), deep(40), JSON.stringify({ state: { bookmarks: { s: { v: 'x'.repeat(300 * 1024) } } } })]) {
      const res = await t.call(tokens.b, 'PUT', `/pipelines/${p.id}/state`, body);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields)).toEqual(['state']);
    }
    expect((await t.call(tokens.b, 'PUT', `/pipelines/${p.id}/state`, deep(20))).status).toBe(202);
    expect((await t.call(tokens.b, 'GET', `/pipelines/${p.id}/state`)).body.data).toHaveLength(1);
  });

  it('refuses Jenkins-style H in a schedule with a 400 naming schedule.cron', async () => {
    const res = await create(tokens.b, { source_connector_id: sources.b, schedule: { cron: 'H H * * *', timezone: 'UTC' } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.fields)).toEqual(['schedule.cron']);
    const { body: p } = await create(tokens.b, { source_connector_id: sources.b });
    const patched = await t.call(tokens.b, 'PATCH', `/pipelines/${p.id}`, { schedule: { cron: 'H 3 * * *' } });
    expect(patched.status).toBe(400);
    expect(Object.keys(patched.body.error.fields)).toEqual(['schedule.cron']);
  });

  it('documents the rollback and run bodies as the routes take them', async () => {
    const { body: doc } = await t.call(undefined, 'GET', '/openapi.json');
    const rollback = doc.paths['/pipelines/{id}/state/rollback'].post.requestBody;
    expect(rollback.required).toBe(true);
    expect(rollback.content['application/json'].schema).toMatchObject({ type: 'object', required: ['state_id'], additionalProperties: false, properties: { state_id: { type: 'integer', exclusiveMinimum: 0 } } });
    const run = doc.paths['/pipelines/{id}/runs'].post.requestBody;
    expect(run.required).toBe(false);
    expect(run.content['application/json'].schema).toMatchObject({ additionalProperties: false, properties: { full_refresh: { type: 'boolean' } } });
    const { body: p } = await create(tokens.b, { source_connector_id: sources.b });
    expect((await t.call(tokens.b, 'POST', `/pipelines/${p.id}/state/rollback`, { state_id: 0 })).status).toBe(400);
    expect((await t.call(tokens.b, 'POST', `/pipelines/${p.id}/state/rollback`, { state_id: 1, x: 1 })).status).toBe(400);
  });

  it('stores how numbers without a precision are kept (float unless chosen), shows it and changes it', async () => {
    const { body: p } = await create(tokens.a, { source_connector_id: sources.a });
    expect(p.untyped_numbers).toBe('float');
    const changed = await t.call(tokens.a, 'PATCH', `/pipelines/${p.id}`, { untyped_numbers: 'decimal' });
    expect(changed.status).toBe(200);
    expect((await t.call(tokens.a, 'GET', `/pipelines/${p.id}`)).body.untyped_numbers).toBe('decimal');
    const bad = await t.call(tokens.a, 'PATCH', `/pipelines/${p.id}`, { untyped_numbers: 'double' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.untyped_numbers[0]).toMatch(/"float" \(fast, about 15 significant digits\) or "decimal" \(exact up to 28 digits before and 10 after the point\)/);
    const made = await create(tokens.a, { source_connector_id: sources.a, untyped_numbers: 'decimal' });
    expect(made.body.untyped_numbers).toBe('decimal');
  });

  describe('streams are checked against what discovery found, by their exact names', () => {
    // As tap-postgres discovers them; the streams column in the shape an older Sluice stored (the API reads the catalog).
    const entry = (name: string, properties: Record<string, unknown>, keys: string[]) => ({ tap_stream_id: name, stream: name, key_properties: keys, schema: { properties }, metadata: [{ breadcrumb: [], metadata: { 'table-key-properties': keys, 'forced-replication-method': '' } }] });
    const catalog = {
      streams: [
        entry('public-Customer Accounts', { id: { type: ['integer'] }, 'updated at': { type: ['string', 'null'], format: 'date-time' }, note: { type: ['string', 'null'] } }, ['id']),
        entry('sales.orders "2024"', { id: { type: ['integer'] } }, []),
        entry('public-notes', { body: { type: ['string', 'null'] } }, []),
      ],
    };
    const discovered = catalog.streams.map((e) => ({ stream: e.tap_stream_id, properties: e.schema.properties, key_properties: e.key_properties, replication_keys: [], replication_methods: ['FULL_TABLE'] }));
    let source = '';
    beforeAll(async () => {
      const created = await t.call(tokens.a, 'POST', '/connectors', { name: `disc-${randomBytes(3).toString('hex')}`, plugin: 'tap-postgres', config: pgConfig });
      source = (created.body as { id: string }).id;
      const tenantId = (await t.db.query.connectors.findFirst({ where: (c, { eq: is }) => is(c.id, source) }))!.tenantId;
      await t.db.insert(connectorCatalogs).values({ connectorId: source, tenantId, catalog, streams: discovered });
    });

    it('takes names with spaces, dots and quotes, and a key that is a column', async () => {
      const res = await create(tokens.a, {
        source_connector_id: source,
        streams: [{ stream: 'public-Customer Accounts', replication_method: 'INCREMENTAL', replication_key: 'updated at' }, { stream: 'sales.orders "2024"' }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.streams.map((s: { stream: string }) => s.stream)).toEqual(['public-Customer Accounts', 'sales.orders "2024"']);
    });

    it('refuses a stream or a key that does not exist, naming the field, on POST and PATCH', async () => {
      const res = await create(tokens.a, {
        source_connector_id: source,
        streams: [{ stream: 'public-Customer Accounts', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }, { stream: 'public-customer accounts' }],
      });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields).sort()).toEqual(['streams.0.replication_key', 'streams.1.stream']);
      expect(res.body.error.fields['streams.1.stream'][0]).toMatch(/is not a stream of this source .*"public-Customer Accounts"/);
      expect(res.body.error.fields['streams.0.replication_key'][0]).toMatch(/"updated_at" is not a column of "public-Customer Accounts".*"updated at"/);

      const ok = await create(tokens.a, { source_connector_id: source, streams: [{ stream: 'sales.orders "2024"' }] });
      expect(ok.status).toBe(201);
      const patched = await t.call(tokens.a, 'PATCH', `/pipelines/${ok.body.id}`, { streams: [{ stream: 'sales.orders "2024"' }, { stream: 'sales.orders "2024"' }] });
      expect(patched.status).toBe(400);
      expect(Object.keys(patched.body.error.fields)).toEqual(['streams.1.stream']);
      const renamed = await t.call(tokens.a, 'PATCH', `/pipelines/${ok.body.id}`, { streams: [{ stream: 'gone' }] });
      expect(renamed.status).toBe(400);
      expect((await t.call(tokens.a, 'GET', `/pipelines/${ok.body.id}`)).body.streams).toEqual([{ stream: 'sales.orders "2024"', sync_mode: 'full_refresh_overwrite', replication_method: 'FULL_TABLE' }]);
    });

    it('stores each stream with its sync mode; a body of replication methods only is read as before', async () => {
      const res = await create(tokens.a, {
        source_connector_id: source,
        streams: [
          { stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_key: 'updated at' },
          { stream: 'sales.orders "2024"', replication_method: 'INCREMENTAL', replication_key: 'id' },
          { stream: 'public-notes', sync_mode: 'full_refresh_append' },
        ],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.streams).toEqual([
        { stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated at' },
        { stream: 'sales.orders "2024"', sync_mode: 'incremental_append', replication_method: 'INCREMENTAL', replication_key: 'id' },
        { stream: 'public-notes', sync_mode: 'full_refresh_append', replication_method: 'FULL_TABLE' },
      ]);
      const legacy = await create(tokens.a, { source_connector_id: source, streams: [{ stream: 'public-Customer Accounts', replication_method: 'INCREMENTAL', replication_key: 'updated at' }] });
      expect(legacy.body.streams).toEqual([{ stream: 'public-Customer Accounts', sync_mode: 'incremental_deduped', replication_method: 'INCREMENTAL', replication_key: 'updated at' }]);
      // A space in the table name: its changes cannot be read from the change log (wal2json).
      const logBased = await t.call(tokens.a, 'PATCH', `/pipelines/${legacy.body.id}`, { streams: [{ stream: 'public-Customer Accounts', sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }] });
      expect(logBased.status, JSON.stringify(logBased.body)).toBe(400);
      expect(logBased.body.error.fields['streams.0.replication_method'][0]).toMatch(/its name contains a space/);
    });

    it('refuses a mode, key or method a stream does not offer, naming the field in plain words, on POST and PATCH', async () => {
      const res = await create(tokens.a, {
        source_connector_id: source,
        streams: [
          { stream: 'public-notes', sync_mode: 'incremental_append', replication_key: 'body' },
          { stream: 'sales.orders "2024"', sync_mode: 'incremental_deduped', replication_key: 'id' },
          { stream: 'public-Customer Accounts', sync_mode: 'incremental_append', replication_key: 'note' },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual({
        'streams.0.sync_mode': [expect.stringMatching(/"public-notes" cannot be read in parts/)],
        'streams.1.sync_mode': [expect.stringMatching(/needs a primary key to tell rows apart, and "sales.orders "2024"" has none/)],
        'streams.2.replication_key': [expect.stringMatching(/"note" cannot tell which rows are new or changed/)],
      });
      const ok = await create(tokens.a, { source_connector_id: source, streams: [{ stream: 'sales.orders "2024"', sync_mode: 'incremental_append', replication_key: 'id' }] });
      const patched = await t.call(tokens.a, 'PATCH', `/pipelines/${ok.body.id}`, { streams: [{ stream: 'sales.orders "2024"', sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }] });
      expect(patched.status).toBe(400);
      expect(Object.keys(patched.body.error.fields)).toEqual(['streams.0.replication_method']);
      const missingKey = await t.call(tokens.a, 'PATCH', `/pipelines/${ok.body.id}`, { streams: [{ stream: 'sales.orders "2024"', sync_mode: 'incremental_append' }] });
      expect(missingKey.body.error.fields['streams.0.replication_key'][0]).toMatch(/needs a column that tells new and changed rows apart.*it offers "id"/);
      const badMode = await t.call(tokens.a, 'PATCH', `/pipelines/${ok.body.id}`, { streams: [{ stream: 'sales.orders "2024"', sync_mode: 'everything' }] });
      expect(badMode.status).toBe(400);
      expect(Object.keys(badMode.body.error.fields)).toEqual(['streams.0.sync_mode']);
    });

    it('checks a preview stream the same way', async () => {
      const unknown = await t.call(tokens.a, 'POST', `/connectors/${source}/preview`, { stream: 'public-Customer' });
      expect(unknown.status).toBe(400);
      expect(Object.keys(unknown.body.error.fields)).toEqual(['stream']);
    });
  });
});
