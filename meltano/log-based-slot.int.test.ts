import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../db/migrate.js';
import { testDatabaseUrl } from '../e2e/test-env.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import { AppError } from '../core/errors.js';
import { lsnValue, replicationSlotName } from './log-based.js';
import { confirmCommitted, dropSlot, explainLogBasedFailure, prepareSlot, retainedBytes, type SourceConnection } from './log-based-slot.js';

// Against the sources' PostgreSQL (setup.sh runs it with wal_level=logical and wal2json).
const sourceUrl = Object.assign(new URL(sourceDatabaseUrl()), { pathname: '/sluice_test_source' });
const source: SourceConnection = { host: sourceUrl.hostname, port: Number(sourceUrl.port || 5432), user: 'postgres', password: 'unused-with-trust-auth', database: 'sluice_test_source' };
const admin = postgres(sourceUrl.toString(), { max: 1, onnotice: () => {} });
const suffix = randomBytes(4).toString('hex');
const role = `sluice_l_reader_${suffix}`;
const slots: string[] = [];
const newSlot = () => {
  const slot = replicationSlotName(randomUUID());
  slots.push(slot);
  return slot;
};
const slotRow = async (slot: string) => (await admin`select confirmed_flush_lsn::text as confirmed, plugin from pg_replication_slots where slot_name = ${slot}`)[0];
const currentLsn = async () => lsnValue((await admin`select pg_current_wal_lsn()::text as lsn`)[0]!.lsn);
const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('it succeeded'), (error: unknown) => error);

beforeAll(async () => {
  await ensureDatabase(sourceUrl.toString());
  // trust auth: a role logs in without a password; it has no REPLICATION attribute yet.
  await admin.unsafe(`create role ${role} login`);
});

afterAll(async () => {
  for (const slot of slots) await admin`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot}`;
  await admin.unsafe(`drop role if exists ${role}`);
  await admin.end();
});

describe('prepareSlot', () => {
  it('makes the slot with wal2json once; a second call finds it', async () => {
    const slot = newSlot();
    expect(await prepareSlot(source, slot, undefined)).toEqual({ created: true, recopy: undefined });
    expect((await slotRow(slot))?.plugin).toBe('wal2json');
    expect(await prepareSlot(source, slot, undefined)).toEqual({ created: false });
  });

  it('asks for a fresh copy when the pipeline had a position but the slot is new (dropped on the server)', async () => {
    const ready = await prepareSlot(source, newSlot(), 12345n);
    expect(ready.created).toBe(true);
    expect(ready.recopy).toMatch(/replication slot was missing.*copied again in full/);
  });

  it('asks for a fresh copy when the slot has moved past the position the warehouse holds', async () => {
    const slot = newSlot();
    await prepareSlot(source, slot, undefined);
    const confirmed = lsnValue((await slotRow(slot))!.confirmed);
    expect(await prepareSlot(source, slot, confirmed)).toEqual({ created: false });
    expect((await prepareSlot(source, slot, confirmed - 1n)).recopy).toMatch(/moved past what the warehouse holds/);
  });
});

describe('confirmCommitted', () => {
  it('moves the slot forward to the committed position, never back', async () => {
    const slot = newSlot();
    await prepareSlot(source, slot, undefined);
    await admin`select pg_switch_wal()`; // some log after the slot's start
    const committed = await currentLsn();
    await confirmCommitted(source, slot, committed);
    expect(lsnValue((await slotRow(slot))!.confirmed)).toBe(committed);
    await confirmCommitted(source, slot, committed - 100n);
    expect(lsnValue((await slotRow(slot))!.confirmed)).toBe(committed);
    expect(await retainedBytes(source, slot)).toBeGreaterThanOrEqual(0);
  });
});

describe('dropSlot', () => {
  it('drops the slot, and is fine when it is gone already', async () => {
    const slot = newSlot();
    await prepareSlot(source, slot, undefined);
    await dropSlot(source, slot);
    expect(await slotRow(slot)).toBeUndefined();
    await dropSlot(source, slot);
    expect(await retainedBytes(source, slot)).toBeUndefined();
  });
});

describe('plain-words failures from a real server', async () => {
  const asRole: SourceConnection = { ...source, user: role };

  it('a login without the REPLICATION attribute', async () => {
    const error = await failure(prepareSlot(asRole, newSlot(), undefined));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toMatch(/needs the REPLICATION attribute.*ALTER ROLE <user> REPLICATION/);
  });

  it('a login with REPLICATION (not a superuser) makes, advances and drops its slot', async () => {
    await admin.unsafe(`alter role ${role} replication`);
    const slot = newSlot();
    expect((await prepareSlot(asRole, slot, undefined)).created).toBe(true);
    await confirmCommitted(asRole, slot, await currentLsn());
    await dropSlot(asRole, slot);
    expect(await slotRow(slot)).toBeUndefined();
  });

  it('a server whose output_plugin_libraries leaves wal2json out (PostgreSQL 15.19+)', async () => {
    // Set for this role only: the server's own list includes wal2json (setup.sh).
    await admin.unsafe(`alter role ${role} replication`);
    await admin.unsafe(`alter role ${role} set output_plugin_libraries = pgoutput`);
    try {
      const error = (await failure(prepareSlot({ ...source, user: role }, newSlot(), undefined))) as AppError;
      expect(error.message).toMatch(/does not allow the wal2json plugin.*add wal2json to its setting output_plugin_libraries/);
    } finally {
      await admin.unsafe(`alter role ${role} reset output_plugin_libraries`);
    }
  });

  it('a slot of that name for another plugin is named, with how to drop it', async () => {
    const slot = newSlot();
    await admin`select pg_create_logical_replication_slot(${slot}, 'test_decoding')`;
    const error = (await failure(prepareSlot(source, slot, undefined))) as AppError;
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(`pg_drop_replication_slot('${slot}')`);
  });

  // The platform's PostgreSQL runs with wal_level=replica: a real server that cannot decode.
  const platform = new URL(testDatabaseUrl());
  const platformSql = postgres(platform.toString(), { max: 1, onnotice: () => {} });
  const platformLevel = (await platformSql`show wal_level`)[0]!.wal_level as string;
  await platformSql.end();
  it.runIf(platformLevel !== 'logical')('a server whose wal_level is not logical', async () => {
    await ensureDatabase(platform.toString());
    const onPlatform: SourceConnection = { host: platform.hostname, port: Number(platform.port || 5432), user: decodeURIComponent(platform.username) || 'postgres', database: platform.pathname.slice(1) };
    const error = (await failure(prepareSlot(onPlatform, newSlot(), undefined))) as AppError;
    expect(error.code).toBe('bad_request');
    expect(error.message).toMatch(/wal_level is not "logical".*set wal_level = logical and restart it/);
  });
});

describe('explainLogBasedFailure', () => {
  // Server messages as PostgreSQL 15 and tap-postgres 0.10.0 print them (the missing plugin and
  // the busy slot cannot be made on the shared test server without disturbing others).
  it.each([
    ['ERROR:  could not access file "wal2json": No such file or directory', /does not have the wal2json plugin installed.*postgresql-<version>-wal2json/],
    ['psycopg2.errors.ObjectInUse: replication slot "sluice_x" is active for PID 4242', /Another sync of this pipeline is still reading/],
    ['psycopg2.errors.UndefinedObject: replication slot "sluice_l_recipe" does not exist', /no longer has this pipeline's change-log slot/],
    ['psycopg2.errors.InvalidName: could not parse value "public.Customer Accounts,public.plain_l" for parameter "add-tables"', /a space or characters beyond plain ASCII/],
    ['ERROR:  all replication slots are in use', /no free change-log reader left/],
  ])('%s', (line, expected) => {
    expect(explainLogBasedFailure(line)).toMatch(expected);
  });

  it('leaves other failures to the general explanations', () => {
    expect(explainLogBasedFailure('password authentication failed for user "x"')).toBeUndefined();
  });
});
