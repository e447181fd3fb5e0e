import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { createRunQueue } from '../core/runs/queues.js';
import { testEnv } from '../e2e/test-env.js';
import { createApp } from './app.js';
import { loadEnv } from '../core/env.js';
import * as tenants from '../core/tenants/service.js';

// The HTTP surface over real Postgres and Redis (no worker: runs stay queued).
describe('API', async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const webRoot = fileURLToPath(new URL('../web/dist', import.meta.url));
  const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log: pino({ level: 'silent' }), queuePrefix: env.SLUICE_QUEUE_PREFIX, webRoot });
  const tokens: Record<string, string> = {};

  const call = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const pgConfig = { host: '127.0.0.1', port: 5432, user: 'postgres', password: 'super-secret-pw', database: 'x' };

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const tenant = await tenants.createTenant(db, `${name}-${randomBytes(3).toString('hex')}`);
      tokens[name] = (await tenants.createToken(db, tenant.id, 'owner', 'owner')).token;
      if (name === 'a') tokens.viewer = (await tenants.createToken(db, tenant.id, 'viewer', 'viewer')).token;
    }
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
    await close();
  });

  it('answers health without a token, everything else needs one', async () => {
    expect((await call(undefined, 'GET', '/health')).body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    const res = await call(undefined, 'GET', '/catalog');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect((await call('slk_not-a-real-token', 'GET', '/catalog')).status).toBe(401);
  });

  it('lists the catalog with a JSON Schema per plugin', async () => {
    const res = await call(tokens.a, 'GET', '/catalog');
    const postgres = res.body.data.find((p: { name: string }) => p.name === 'tap-postgres');
    expect(postgres.config_schema.properties.password).toMatchObject({ 'x-secret': true });
    expect((await call(tokens.a, 'GET', '/catalog/tap-salesforce')).body.label).toBe('Salesforce');
    expect((await call(tokens.a, 'GET', '/catalog/tap-nope')).status).toBe(404);
  });

  it('stores connectors with masked secrets, unique names, field errors', async () => {
    const created = await call(tokens.a, 'POST', '/connectors', { name: 'pg', plugin: 'tap-postgres', config: pgConfig });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('super-secret-pw');
    expect(created.body.secrets.password).toEqual({ value: '********', has_value: true });
    const [row] = await db.execute<{ config: unknown; secret_ciphertext: string }>(`select config, secret_ciphertext from connectors where id = '${created.body.id}'`);
    expect(JSON.stringify(row)).not.toContain('super-secret-pw');

    expect((await call(tokens.a, 'POST', '/connectors', { name: 'pg', plugin: 'tap-postgres', config: pgConfig })).status).toBe(409);
    const bad = await call(tokens.a, 'POST', '/connectors', { name: '', plugin: 'tap-postgres', config: { ...pgConfig, port: 'abc' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toMatchObject({ name: ['is required'] });
    const badConfig = await call(tokens.a, 'POST', '/connectors', { name: 'pg2', plugin: 'tap-postgres', config: { ...pgConfig, port: 'abc' } });
    expect(badConfig.body.error.fields).toEqual({ port: ['must be a whole number'] });
    expect((await call(tokens.a, 'POST', '/connectors', { name: 'x', plugin: 'tap-nope' })).body.error.fields).toEqual({ plugin: ['is not in the catalog'] });
    expect((await call(tokens.a, 'POST', '/connectors', '{"name": ')).body.error.code).toBe('bad_request');
  });

  it("keeps tenants apart: another tenant's ids answer 404", async () => {
    const created = await call(tokens.a, 'POST', '/connectors', { name: 'private', plugin: 'tap-postgres', config: pgConfig });
    expect((await call(tokens.b, 'GET', `/connectors/${created.body.id}`)).status).toBe(404);
    expect((await call(tokens.b, 'POST', `/connectors/${created.body.id}/test`)).status).toBe(404);
    expect((await call(tokens.b, 'GET', '/connectors')).body.data).toEqual([]);
    const pipeline = await call(tokens.b, 'POST', '/pipelines', { name: 'p', source_connector_id: created.body.id, streams: [{ stream: 'public-x' }] });
    expect(pipeline.status).toBe(400);
    expect(pipeline.body.error.fields).toEqual({ source_connector_id: ['no such connector'] });
  });

  it('lets viewers read but not change', async () => {
    expect((await call(tokens.viewer, 'GET', '/connectors')).status).toBe(200);
    const res = await call(tokens.viewer, 'POST', '/connectors', { name: 'v', plugin: 'tap-postgres', config: pgConfig });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('creates pipelines and queues runs with 202 and a run id', async () => {
    const source = await call(tokens.a, 'POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: pgConfig });
    const pipeline = await call(tokens.a, 'POST', '/pipelines', { name: 'nightly', source_connector_id: source.body.id, streams: [{ stream: 'public-orders', replication_method: 'INCREMENTAL', replication_key: 'updated_at' }] });
    expect(pipeline.status).toBe(201);
    expect(pipeline.body.destination.database).toMatch(/^sluice_a_[0-9a-f]{6}$/);
    const run = await call(tokens.a, 'POST', `/pipelines/${pipeline.body.id}/runs`);
    expect(run.status).toBe(202);
    const shown = await call(tokens.a, 'GET', `/runs/${run.body.run_id}`);
    expect(shown.body).toMatchObject({ status: 'queued', kind: 'sync', trigger: 'manual', pipeline_id: pipeline.body.id });
    expect(await queue.forKind('sync').getJob(run.body.run_id)).toBeTruthy();
    expect((await call(tokens.b, 'GET', `/runs/${run.body.run_id}`)).status).toBe(404);
    // Names are checked against discovery (server/pipelines/routes.int.test.ts), not by a character class; an empty one is never a name.
    const badStreams = await call(tokens.a, 'POST', '/pipelines', { name: 'bad', source_connector_id: source.body.id, streams: [{ stream: '' }] });
    expect(badStreams.status).toBe(400);
    expect(Object.keys(badStreams.body.error.fields)).toEqual(['streams.0.stream']);
  });

  it('answers unknown routes and malformed ids with JSON 404, bad resume ids with 400, huge bodies with 413', async () => {
    expect((await call(tokens.a, 'GET', '/nope')).body.error.code).toBe('not_found');
    expect((await call(tokens.a, 'GET', '/runs/not-a-uuid')).status).toBe(404);
    const runId = '00000000-0000-4000-8000-000000000000';
    expect((await call(tokens.a, 'GET', `/runs/${runId}/logs`)).status).toBe(404);
    const source = await call(tokens.a, 'POST', '/connectors', { name: 'resume', plugin: 'tap-postgres', config: pgConfig });
    const test = await call(tokens.a, 'POST', `/connectors/${source.body.id}/test`);
    const res = await app.request(`/api/v1/runs/${test.body.run_id}/logs`, { headers: { authorization: `Bearer ${tokens.a}`, 'last-event-id': 'abc' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual({ 'Last-Event-ID': ['is not a log event id'] });
    const huge = await call(tokens.a, 'POST', '/connectors', { name: 'x', plugin: 'tap-postgres', config: { host: 'x'.repeat(2_000_000) } });
    expect(huge.status).toBe(413);
  });

  it('serves the web app at / and for browser routes, never for /api', async () => {
    for (const path of ['/', '/connectors/new']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('<div id="root"></div>');
    }
    const api = await app.request('/api/v1/unknown');
    expect(api.headers.get('content-type')).toMatch(/application\/json/);
  });
});
