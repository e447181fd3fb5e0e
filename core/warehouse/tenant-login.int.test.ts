import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { masterKeyFromBase64 } from '../../db/crypto.js';
import { warehouseLogins } from '../../db/schema/index.js';
import { testEnv } from '../../e2e/test-env.js';
import { loadEnv } from '../env.js';
import { defaultDestinationDatabase } from '../pipelines/destination-database.js';
import * as tenants from '../tenants/service.js';
import { tenantWarehouseLogin } from './tenant-login.js';

describe("a workspace's own login to the platform ClickHouse (18.16: a users.d file)", async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
  const keyring = { current: masterKeyFromBase64(env.SLUICE_MASTER_KEY_ID, env.SLUICE_MASTER_KEY) };
  const deps = { db, keyring, env, log: pino({ level: 'silent' }) };
  const platform = createClient({ url: env.CLICKHOUSE_URL, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD });
  const suffix = randomBytes(3).toString('hex');
  let a = { id: '', slug: '' };
  let b = { id: '', slug: '' };
  const dbOf = (t: { slug: string }, name?: string) => `${defaultDestinationDatabase(t.slug)}${name ? `__${name}` : ''}`;
  const as = (login: { url: string; user: string; password: string }) => createClient({ url: login.url, username: login.user, password: login.password, log: { level: ClickHouseLogLevel.OFF } });
  const run = async (login: { url: string; user: string; password: string }, query: string) => {
    const client = as(login);
    try {
      return await (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    } finally {
      await client.close();
    }
  };
  const command = async (login: { url: string; user: string; password: string }, query: string) => {
    const client = as(login);
    try {
      await client.command({ query });
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    expect(env.SLUICE_CLICKHOUSE_USERS_DIR, 'setup.sh makes the users.d folder of its ClickHouse').toBeTruthy();
    a = await tenants.createTenant(db, `wa-${suffix}`);
    b = await tenants.createTenant(db, `wb-${suffix}`);
  });
  afterAll(async () => {
    for (const t of [a, b]) {
      for (const database of [dbOf(t), dbOf(t, 'sales')]) await platform.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
    }
    await platform.close();
    await close();
  });

  it("reaches the workspace's own databases and nothing else", async () => {
    const loginA = await tenantWarehouseLogin(deps, a, dbOf(a));
    const loginB = await tenantWarehouseLogin(deps, b, dbOf(b));
    expect(loginA.user).not.toBe(env.CLICKHOUSE_USER);
    expect(loginA.user).not.toBe(loginB.user);
    expect(loginA.password).not.toBe(loginB.password);
    expect(loginA.password.length).toBeGreaterThanOrEqual(40);

    // A loads into its own database as the loader does: create, insert, alter, read.
    await command(loginA, `CREATE TABLE \`${dbOf(a)}\`.t (id Int64, v String) ENGINE = ReplacingMergeTree ORDER BY id`);
    await command(loginA, `INSERT INTO \`${dbOf(a)}\`.t VALUES (1, 'a')`);
    await command(loginA, `ALTER TABLE \`${dbOf(a)}\`.t ADD COLUMN w Int64`);
    expect(await run(loginA, `SELECT id, v FROM \`${dbOf(a)}\`.t FINAL`)).toEqual([{ id: '1', v: 'a' }]);
    // The loader reads column types and pending deletes from system tables.
    expect((await run(loginA, `SELECT name FROM system.columns WHERE database = '${dbOf(a)}' AND table = 't' ORDER BY name`)).map((r) => r.name)).toEqual(['id', 'v', 'w']);

    // B's login reaches none of it, and cannot make databases outside its own.
    await expect(run(loginB, `SELECT * FROM \`${dbOf(a)}\`.t`)).rejects.toThrow(/Access denied|Not enough privileges/);
    await expect(command(loginB, `INSERT INTO \`${dbOf(a)}\`.t VALUES (2, 'b', 0)`)).rejects.toThrow(/Access denied|Not enough privileges/);
    await expect(command(loginB, `DROP TABLE \`${dbOf(a)}\`.t`)).rejects.toThrow(/Access denied|Not enough privileges/);
    await expect(command(loginB, `CREATE DATABASE \`${dbOf(a, 'sales')}\``)).rejects.toThrow(/Access denied|Not enough privileges/);
    await expect(command(loginB, 'CREATE DATABASE elsewhere')).rejects.toThrow(/Access denied|Not enough privileges/);
    await expect(run(loginB, `SELECT * FROM remote('127.0.0.1', \`${dbOf(a)}\`.t)`)).rejects.toThrow(/Access denied|Not enough privileges/);
    expect(await run(loginA, `SELECT count() AS n FROM \`${dbOf(a)}\`.t`)).toEqual([{ n: '1' }]);
    // A wrong password gets nothing.
    await expect(run({ ...loginA, password: loginB.password }, 'SELECT 1')).rejects.toThrow(/password|Authentication/i);
  });

  it('keeps one login per workspace, widening it to each database its syncs load into', async () => {
    const first = await tenantWarehouseLogin(deps, a, dbOf(a));
    const second = await tenantWarehouseLogin(deps, a, dbOf(a, 'sales'));
    expect(second).toEqual(first);
    // Both databases stay reachable.
    await command(second, `CREATE TABLE IF NOT EXISTS \`${dbOf(a, 'sales')}\`.s (id Int64) ENGINE = MergeTree ORDER BY id`);
    expect(await run(second, `SHOW TABLES FROM \`${dbOf(a)}\``)).toEqual([{ name: 't' }]);
  });

  it('is set up once when two syncs of a new workspace start together', async () => {
    const c = await tenants.createTenant(db, `wc-${suffix}`);
    try {
      const [one, two] = await Promise.all([tenantWarehouseLogin(deps, c, dbOf(c)), tenantWarehouseLogin(deps, c, dbOf(c))]);
      expect(two).toEqual(one);
      expect(await run(one, 'SELECT 1 AS x')).toEqual([{ x: 1 }]);
    } finally {
      await platform.command({ query: `DROP DATABASE IF EXISTS \`${dbOf(c)}\`` });
    }
  });

  it('stores the password sealed and writes only its hash for the server', async () => {
    const login = await tenantWarehouseLogin(deps, b, dbOf(b));
    const [row] = await db.select().from(warehouseLogins).where(eq(warehouseLogins.tenantId, b.id));
    expect(JSON.stringify(row)).not.toContain(login.password);
    const dir = env.SLUICE_CLICKHOUSE_USERS_DIR!;
    const files = await readdir(dir);
    expect(files).toContain(`${login.user}.xml`);
    for (const file of files) expect(await readFile(`${dir}/${file}`, 'utf8')).not.toContain(login.password);
  });

  it("refuses a database outside the workspace's namespace before touching the server", async () => {
    await expect(tenantWarehouseLogin(deps, b, dbOf(a))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(tenantWarehouseLogin(deps, b, 'default')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('says in plain words when the warehouse cannot be reached', async () => {
    const away = { ...deps, env: { ...env, CLICKHOUSE_URL: 'http://127.0.0.1:1' } };
    await expect(tenantWarehouseLogin(away, a, dbOf(a))).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/nothing was loaded/) });
  });
});
