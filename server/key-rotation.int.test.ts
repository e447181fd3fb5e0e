import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb, type Db } from '../db/client.js';
import { masterKeyFromBase64, openSecrets, sealSecrets, type Keyring } from '../db/crypto.js';
import { rotateMasterKey } from '../db/key-rotation.js';
import { connectors, warehouseLoginBinding, warehouseLogins } from '../db/schema/index.js';
import { testEnv } from '../e2e/test-env.js';
import { createRunQueue } from '../core/runs/queues.js';
import { prepareDatabase } from '../scripts/prepare.js';
import { createApp } from './app.js';
import { loadConnectorForRun, updateConnector } from '../core/connectors/service.js';
import { loadEnv } from '../core/env.js';
import * as tenants from '../core/tenants/service.js';

const CONNECTORS = 30;
const LOOPS = 4;
/** The connector whose row an open transaction holds while rotation runs (see below). */
const HELD = 15;

// `rotateMasterKey` re-wraps every connector of a database, whatever its tenant, so this test
// has a database of its own: in the shared test database it would meet other tests' rows
// under keys it does not hold.
describe('master key rotation while requests are served', async () => {
  const shared = loadEnv(await testEnv());
  const url = new URL(shared.DATABASE_URL);
  const dbName = `${url.pathname.slice(1)}_keys_${randomBytes(4).toString('hex')}`;
  url.pathname = `/${dbName}`;
  const env = loadEnv(await testEnv({ DATABASE_URL: url.toString() }));

  const k1 = masterKeyFromBase64('k1', randomBytes(32).toString('base64'));
  const k2 = masterKeyFromBase64('k2', randomBytes(32).toString('base64'));
  const keyringA: Keyring = { current: k1 };
  const keyringB: Keyring = { current: k2, previous: [k1] };

  // Four pools, as four processes would have: API instance A (old key), API instance B (new key
  // plus the old one), the rotation (`sluice keys rotate`), and a writer that holds a row.
  const poolA = createDb(env.DATABASE_URL, { max: 4 });
  const poolB = createDb(env.DATABASE_URL, { max: 10 });
  const poolRotate = createDb(env.DATABASE_URL, { max: 1 });
  const poolHold = createDb(env.DATABASE_URL, { max: 1 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const deps = { redis, queue, log: pino({ level: 'silent' }), queuePrefix: env.SLUICE_QUEUE_PREFIX };
  const appA = createApp({ ...deps, db: poolA.db, keyring: keyringA });
  const appB = createApp({ ...deps, db: poolB.db, keyring: keyringB });

  const suffix = randomBytes(6).toString('hex');
  let token = '';
  let tokenId = '';
  let tenantId = '';
  let tenantSlug = '';

  const call = async (app: typeof appA, method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    await prepareDatabase(env.DATABASE_URL, poolA.db);
    const tenant = await tenants.createTenant(poolA.db, `keys-${suffix.slice(0, 6)}`);
    tenantId = tenant.id;
    tenantSlug = tenant.slug;
    const created = await tenants.createToken(poolA.db, tenant.id, 'owner', 'owner');
    token = created.token;
    tokenId = created.id;
  });

  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await redis.quit();
    await Promise.all([poolA.close(), poolB.close(), poolRotate.close(), poolHold.close()]);
    const admin = new URL(env.DATABASE_URL);
    admin.pathname = '/postgres';
    const sqlAdmin = postgres(admin.toString(), { max: 1, onnotice: () => {} });
    await sqlAdmin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await sqlAdmin.end();
  });

  it('re-wraps every data key while another instance reads and changes the connectors; nothing is lost', async () => {
    // Instance A, on the old key only, creates the connectors.
    const ids: string[] = [];
    const expected = new Map<string, { password: string; port: number }>();
    for (let i = 0; i < CONNECTORS; i++) {
      const password = `pw-${i}-${suffix}`;
      const res = await call(appA, 'POST', '/connectors', {
        name: `pg-${i}`,
        plugin: 'tap-postgres',
        config: { host: '127.0.0.1', port: 5432, user: 'postgres', password, database: 'x' },
      });
      expect(res.status, res.text).toBe(201);
      const id = (JSON.parse(res.text) as { id: string }).id;
      ids.push(id);
      expected.set(id, { password, port: 5432 });
    }
    const keyIds = async () =>
      new Map((await poolA.db.select({ id: connectors.id, keyId: connectors.keyId }).from(connectors).where(eq(connectors.tenantId, tenantId))).map((r) => [r.id, r.keyId]));
    expect([...(await keyIds()).values()]).toEqual(Array(CONNECTORS).fill('k1'));

    // Odd connectors are only read, so the rotation alone must re-wrap them; even ones are also
    // patched (every sixth one gets a new password), which re-seals them under k2 on the way.
    const heldId = ids[HELD]!;
    const readOnly = ids.filter((id, i) => i % 2 === 1 && id !== heldId);
    let holding = true;
    const failures: string[] = [];
    let requests = 0;
    const check = (what: string, res: { status: number; text: string }, secret?: string) => {
      requests++;
      if (res.status < 200 || res.status >= 300) failures.push(`${what}: ${res.status} ${res.text}`);
      else if (secret !== undefined && res.text.includes(secret)) failures.push(`${what}: response shows the password`);
      else if (!res.text.includes('"password":"********"')) failures.push(`${what}: password not masked: ${res.text}`);
    };
    const pass = (name: string) =>
      Promise.all(
        Array.from({ length: LOOPS }, async (_, loop) => {
          // Each connector belongs to one loop, so its requests are in order and its final password is known.
          for (let i = loop; i < CONNECTORS; i += LOOPS) {
            const id = ids[i]!;
            check(`${name} GET ${i}`, await call(appB, 'GET', `/connectors/${id}`), expected.get(id)!.password);
            if (id === heldId) {
              if (holding) continue;
              const password = `pw-${i}-${name}-${suffix}`;
              check(`${name} PATCH password ${i}`, await call(appB, 'PATCH', `/connectors/${id}`, { config: { password } }), password);
              expected.set(id, { ...expected.get(id)!, password });
              continue;
            }
            if (i % 2 === 1) continue;
            check(`${name} PATCH port ${i}`, await call(appB, 'PATCH', `/connectors/${id}`, { config: { port: 5433 } }), expected.get(id)!.password);
            expected.set(id, { ...expected.get(id)!, port: 5433 });
            if (i % 6 === 0) {
              const password = `pw-${i}-${name}-${suffix}`;
              check(`${name} PATCH password ${i}`, await call(appB, 'PATCH', `/connectors/${id}`, { config: { password } }), password);
              expected.set(id, { ...expected.get(id)!, password });
            }
          }
        }),
      );

    // An instance-B write to the held connector stays uncommitted while the rotation starts: the
    // rotation reads that row's old wrapped key, then waits on the row lock, halfway through.
    // When the write commits, the rotation must leave the row alone (its data key is new).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let heldPid!: (pid: number) => void;
    const locked = new Promise<number>((resolve) => (heldPid = resolve));
    const heldPassword = `pw-${HELD}-held-${suffix}`;
    const acting = { tenantId, tenantSlug, actor: { type: 'token' as const, id: tokenId, label: 'held write' } };
    const holder = poolHold.db.transaction(async (tx) => {
      const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
      await updateConnector(tx as unknown as Db, keyringB, acting, heldId, { config: { password: heldPassword } });
      heldPid(row!.pid);
      await released;
    });
    const pid = await Promise.race([locked, holder.then(() => Promise.reject(new Error('the held write ended early')))]);
    expected.set(heldId, { ...expected.get(heldId)!, password: heldPassword });

    let rotationSettled = false;
    const rotation = rotateMasterKey(poolRotate.db, keyringB).finally(() => (rotationSettled = true));
    const rotationBlocked = async () => {
      const [row] = await poolA.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`);
      return row!.n === 1;
    };

    // Pass A races the rotation's start.
    await pass('a');
    await vi.waitFor(
      async () => {
        expect(rotationSettled, 'the rotation finished without waiting for the held row').toBe(false);
        expect(await rotationBlocked(), 'the rotation is waiting on the held row').toBe(true);
      },
      { timeout: 15_000, interval: 20 },
    );
    // Mid-rotation, it waits on the held row, still under k1 as far as it can see. (Which rows it
    // re-wrapped before that depends on the order Postgres returned them in, which no one
    // promises, so that is not asserted.)
    expect((await keyIds()).get(heldId)).toBe('k1');

    // Pass B is served entirely while the rotation is in flight.
    await pass('b');
    expect(rotationSettled).toBe(false);
    expect(await rotationBlocked()).toBe(true);

    // The held write commits; pass C runs while the rotation finishes the rest.
    holding = false;
    release();
    await holder;
    const [rotated] = await Promise.all([rotation, pass('c')]);

    expect(failures).toEqual([]);
    // Per pass: a GET each, 15 port patches, 5 password patches; and the held connector's patch in pass C.
    expect(requests).toBe(3 * (CONNECTORS + 15 + 5) + 1);
    // Every read-only connector was re-wrapped by the rotation; the held one was not (its data key changed under it).
    expect(rotated).toBeGreaterThanOrEqual(readOnly.length);
    expect(rotated).toBeLessThan(CONNECTORS);

    const rows = await poolA.db.select().from(connectors).where(eq(connectors.tenantId, tenantId));
    expect(rows).toHaveLength(CONNECTORS);
    expect(rows.map((r) => r.keyId)).toEqual(Array(CONNECTORS).fill('k2'));
    // The new key alone opens every connector, with the password it should have now.
    const onlyK2: Keyring = { current: k2 };
    for (const row of rows) {
      const want = expected.get(row.id)!;
      expect(loadConnectorForRun(onlyK2, row).config, row.name).toEqual({ host: '127.0.0.1', port: want.port, user: 'postgres', password: want.password, database: 'x' });
    }
    expect(new Set(rows.map((r) => loadConnectorForRun(onlyK2, r).config.password)).size).toBe(CONNECTORS);
    expect(await rotateMasterKey(poolRotate.db, keyringB)).toBe(0);

    // Instance A, still on k1 only, can no longer open any of them.
    for (const row of rows) expect(() => loadConnectorForRun(keyringA, row), row.name).toThrow('Master key "k2" is not configured');
  });

  it("re-wraps each workspace's warehouse login too, and it still opens", async () => {
    await poolA.db.delete(warehouseLogins).where(eq(warehouseLogins.tenantId, tenantId));
    await poolA.db.insert(warehouseLogins).values({ tenantId, userName: 'sluice_x__user', ...sealSecrets(keyringA, warehouseLoginBinding(tenantId), { password: `wh-${suffix}` }) });
    expect(await rotateMasterKey(poolRotate.db, keyringB)).toBe(1);
    const [row] = await poolB.db.select().from(warehouseLogins).where(eq(warehouseLogins.tenantId, tenantId));
    expect(row!.keyId).toBe('k2');
    expect(openSecrets({ current: k2 }, warehouseLoginBinding(tenantId), row!)).toEqual({ password: `wh-${suffix}` });
  });
});
