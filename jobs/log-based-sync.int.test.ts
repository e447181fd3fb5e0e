import { randomBytes, randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorCatalogs } from '../db/schema/index.js';
import { ensureDatabase } from '../db/migrate.js';
import { keyringFrom } from '../db/keyring.js';
import { createTestApp } from '../e2e/test-app.js';
import { lsnValue, replicationSlotName } from '../meltano/log-based.js';
import { prepareSlot, type SourceConnection } from '../meltano/log-based-slot.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import type { SlotDropJob } from '../core/runs/queues.js';
import { dropPipelineSlot } from './drop-slot.js';
import { confirmChangeLog, startChangeLog } from './log-based-sync.js';

// Against the sources' PostgreSQL (wal_level=logical, wal2json), and for the drop job the API
// over the real platform database and queue (no worker: the test takes the job itself).
const sourceUrl = Object.assign(new URL(sourceDatabaseUrl()), { pathname: '/sluice_test_source' });
const tapConfig = { host: sourceUrl.hostname, port: Number(sourceUrl.port || 5432), user: 'postgres', password: 'unused-with-trust-auth', database: 'sluice_test_source', filter_schemas: ['public'] };
const connection: SourceConnection = { host: tapConfig.host, port: tapConfig.port, user: 'postgres', password: tapConfig.password, database: tapConfig.database };
const admin = postgres(sourceUrl.toString(), { max: 1, onnotice: () => {} });
const slots: string[] = [];
const newPipelineId = () => {
  const id = randomUUID();
  slots.push(replicationSlotName(id));
  return id;
};
const slotRow = async (slot: string) => (await admin`select confirmed_flush_lsn::text as confirmed from pg_replication_slots where slot_name = ${slot}`)[0];
const logBased = (stream: string) => ({ stream, replication_method: 'LOG_BASED' as const });

beforeAll(async () => {
  await ensureDatabase(sourceUrl.toString());
});
afterAll(async () => {
  for (const slot of slots) await admin`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot}`;
  await admin.end();
});

describe('startChangeLog and confirmChangeLog', () => {
  it('makes the slot before the first sync, then confirms the stored position to it', async () => {
    const pipelineId = newPipelineId();
    const lines: string[] = [];
    const started = await startChangeLog({ tapName: 'tap-postgres', tapConfig, pipelineId, streams: [logBased('public-a'), { stream: 'public-b', replication_method: 'FULL_TABLE' }], state: {}, onLine: (l) => lines.push(l) });
    expect(started).toEqual({ changeLog: { source: expect.objectContaining({ host: tapConfig.host, database: 'sluice_test_source' }), slot: replicationSlotName(pipelineId), streams: ['public-a'] }, state: {} });
    expect(lines).toEqual([expect.stringMatching(/^INFO Sluice made the replication slot "sluice_\w+" on the source database/)]);

    if (!('changeLog' in started) || !started.changeLog) throw new Error('no change log');
    const before = lsnValue((await slotRow(started.changeLog.slot))!.confirmed);
    await admin`select pg_logical_emit_message(true, 'sluice-test', 'move the log on')`;
    const position = (await admin`select pg_current_wal_lsn()::text as lsn`)[0]!.lsn as string;
    await confirmChangeLog(started.changeLog, { bookmarks: { 'public-a': { replication_key: '_sdc_lsn', replication_key_value: Number(lsnValue(position)) } } }, (l) => lines.push(l));
    const after = lsnValue((await slotRow(started.changeLog.slot))!.confirmed);
    expect(after).toBeGreaterThan(before);
    expect(after).toBe(lsnValue(position));
  });

  it('copies the streams again (state without their bookmarks) when the slot was lost, and says so', async () => {
    const lines: string[] = [];
    const state = { bookmarks: { 'public-a': { replication_key_value: 12345 }, 'public-c': { replication_key: 'updated_at', replication_key_value: '2024-01-01' } }, currently_syncing: 'public-a' };
    const started = await startChangeLog({ tapName: 'tap-postgres', tapConfig, pipelineId: newPipelineId(), streams: [logBased('public-a'), { stream: 'public-c', replication_method: 'INCREMENTAL' }], state, onLine: (l) => lines.push(l) });
    expect(started).toMatchObject({ state: { bookmarks: { 'public-c': state.bookmarks['public-c'] } } });
    expect((started as { state: Record<string, unknown> }).state).not.toHaveProperty('currently_syncing');
    expect(lines[1]).toMatch(/^WARNING The database's change log was not being kept for this pipeline .*copied again in full\.$/);
  });

  it('drops the slot of a pipeline none of whose streams reads the change log any more, and goes on', async () => {
    const pipelineId = newPipelineId();
    await prepareSlot(connection, replicationSlotName(pipelineId), undefined);
    const lines: string[] = [];
    const state = { bookmarks: {} };
    expect(await startChangeLog({ tapName: 'tap-postgres', tapConfig, pipelineId, streams: [{ stream: 'public-a', replication_method: 'INCREMENTAL' }], state, onLine: (l) => lines.push(l) })).toEqual({ changeLog: undefined, state });
    expect(await slotRow(replicationSlotName(pipelineId))).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^INFO No stream of this pipeline reads the database's change log any more/)]);
    // nothing to drop: nothing said
    await startChangeLog({ tapName: 'tap-postgres', tapConfig, pipelineId, streams: [], state, onLine: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
  });

  it('refuses a source other than “PostgreSQL (change log)”, and one it cannot reach, in plain words without the password', async () => {
    const jsonl = await startChangeLog({ tapName: 'tap-jsonl', tapConfig: { path: 'x.jsonl' }, pipelineId: randomUUID(), streams: [logBased('x')], state: undefined, onLine: () => undefined });
    expect(jsonl).toEqual({ refused: expect.stringMatching(/^Stream "x": its changes cannot be read from a change log, which Sluice reads only from sources added as “PostgreSQL \(change log\)”/), transient: false });
    // The built-in PostgreSQL source (the default) reads no change log either.
    expect(await startChangeLog({ tapName: 'tap-sluice-postgres', tapConfig, pipelineId: randomUUID(), streams: [logBased('public-x')], state: undefined, onLine: () => undefined })).toEqual({ refused: expect.stringMatching(/“PostgreSQL \(change log\)”/), transient: false });
    expect(await startChangeLog({ tapName: 'tap-jsonl', tapConfig: {}, pipelineId: randomUUID(), streams: [{ stream: 'x', replication_method: 'FULL_TABLE' }], state: undefined, onLine: () => undefined })).toEqual({ changeLog: undefined, state: undefined });

    const secret = `pw-${randomBytes(6).toString('hex')}`;
    const closed = await startChangeLog({ tapName: 'tap-postgres', tapConfig: { ...tapConfig, port: 1, password: secret }, pipelineId: randomUUID(), streams: [logBased('public-a')], state: undefined, onLine: () => undefined });
    expect(closed).toEqual({ refused: expect.stringMatching(/^Sluice could not prepare reading the source database's change log\. The server refused the connection/), transient: true });
    expect(JSON.stringify(closed)).not.toContain(secret);
  });
});

describe('a pipeline that stops reading the change log releases its slot through a worker job', async () => {
  const t = await createTestApp();
  const deps = { db: t.db, keyring: keyringFrom(t.env), env: t.env, log: pino({ level: 'silent' }) };
  const table = `lb_job_${randomBytes(4).toString('hex')}`;
  const stream = `public-${table}`;
  let token = '';
  let tenantId = '';
  let sourceId = '';
  const entry = { tap_stream_id: stream, stream, table_name: table, key_properties: ['id'], schema: { properties: { id: { type: ['integer'] }, note: { type: ['string', 'null'] } } }, metadata: [{ breadcrumb: [], metadata: { 'table-key-properties': ['id'], 'forced-replication-method': '', 'schema-name': 'public' } }] };
  const dropJobs = async () => (await t.queue.forKind('sync').getJobs(['waiting', 'delayed'])).filter((j) => j.name === 'drop-slot').map((j) => (j.data as { drop_slot: SlotDropJob }).drop_slot);

  beforeAll(async () => {
    const tenant = await t.tenantWithTokens('lbjob');
    token = tenant.admin;
    tenantId = tenant.tenant.id;
    sourceId = (await t.call(token, 'POST', '/connectors', { name: 'pg', plugin: 'tap-postgres', config: tapConfig })).body.id;
    await t.db.insert(connectorCatalogs).values({ connectorId: sourceId, tenantId, catalog: { streams: [entry] }, streams: [] });
  });
  afterAll(() => t.close());

  it('PATCH away from LOG_BASED queues a drop (ids only); the worker drops the slot through the checked address', async () => {
    const created = await t.call(token, 'POST', '/pipelines', { name: 'lb', source_connector_id: sourceId, streams: [{ stream, sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const pipelineId = created.body.id as string;
    slots.push(replicationSlotName(pipelineId));
    await prepareSlot(connection, replicationSlotName(pipelineId), undefined);
    expect(await dropJobs()).toEqual([]);

    const patched = await t.call(token, 'PATCH', `/pipelines/${pipelineId}`, { streams: [{ stream, sync_mode: 'full_refresh_overwrite' }] });
    expect(patched.status).toBe(200);
    const jobs = await dropJobs();
    expect(jobs).toEqual([{ tenant_id: tenantId, connector_id: sourceId, pipeline_id: pipelineId }]);

    // Switched back before the worker got to it: the slot is the pipeline's again and stays.
    await t.call(token, 'PATCH', `/pipelines/${pipelineId}`, { streams: [{ stream, sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }] });
    expect(await dropPipelineSlot(deps, jobs[0]!)).toBe('in use');
    expect(await slotRow(replicationSlotName(pipelineId))).toBeDefined();

    expect((await t.call(token, 'DELETE', `/pipelines/${pipelineId}`)).status).toBe(204);
    const afterDelete = await dropJobs();
    expect(afterDelete.filter((j) => j.pipeline_id === pipelineId)).toHaveLength(2);
    expect(await dropPipelineSlot(deps, jobs[0]!)).toBe('dropped');
    expect(await slotRow(replicationSlotName(pipelineId))).toBeUndefined();
    expect(await dropPipelineSlot(deps, jobs[0]!)).toBe('absent');
  });

  it('never connects where the network policy does not allow: a connector pointing elsewhere is given up', async () => {
    const elsewhere = (await t.call(token, 'POST', '/connectors', { name: 'pg-private', plugin: 'tap-postgres', config: { ...tapConfig, host: '10.255.255.1' } })).body.id as string;
    const job = { tenant_id: tenantId, connector_id: elsewhere, pipeline_id: randomUUID() };
    await expect(dropPipelineSlot(deps, job)).rejects.toThrow(UnrecoverableError);
    await expect(dropPipelineSlot(deps, job)).rejects.toThrow(/may not reach its source any more.*10\.255\.255\.1/);
  });

  it('refuses LOG_BASED for a source other than “PostgreSQL (change log)”, naming the field and the source to add instead', async () => {
    const jsonl = (await t.call(token, 'POST', '/connectors', { name: 'files', plugin: 'tap-jsonl', config: { path: 'x.jsonl', stream_name: 'x' } })).body.id as string;
    const builtIn = (await t.call(token, 'POST', '/connectors', { name: 'pg-built-in', plugin: 'tap-sluice-postgres', config: tapConfig })).body.id as string;
    for (const [source, name] of [[jsonl, 'x'], [builtIn, stream]] as const) {
      const res = await t.call(token, 'POST', '/pipelines', { name: `lb-${source.slice(0, 8)}`, source_connector_id: source, streams: [{ stream: name, sync_mode: 'incremental_append', replication_method: 'LOG_BASED' }] });
      expect(res.status).toBe(400);
      expect(res.body.error.fields['streams.0.replication_method'][0]).toMatch(/Sluice reads one only from sources added as “PostgreSQL \(change log\)”/);
    }
  });
});
