import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { openSecrets, sealSecrets, type Keyring } from '../../db/crypto.js';
import { pipelines, warehouseLoginBinding, warehouseLogins } from '../../db/schema/index.js';
import type { Env } from '../env.js';
import { AppError } from '../errors.js';
import { defaultDestinationDatabase, destinationDatabaseProblem } from '../pipelines/destination-database.js';
import { supportsAccessControl, tenantUserStatements, warehouseUserName } from './grants.js';
import { usersFileXml, writeUsersFile } from './users-file.js';

export type WarehouseLogin = { url: string; user: string; password: string };
export type WarehouseEnv = Pick<Env, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'SLUICE_CLICKHOUSE_USERS_DIR'>;
type Deps = { db: Db; keyring: Keyring; env: WarehouseEnv; log: Logger };

/** Failures reach the run as our own messages and the worker log, not the client's console logger. */
const QUIET = { level: ClickHouseLogLevel.OFF };

/** How long ClickHouse may take to read a new users.d file (it checks every few seconds). */
const USERS_FILE_PICKUP_MS = 30_000;

/**
 * The login a tenant's sync hands the loader for the platform ClickHouse: the tenant's own
 * user, able to reach its own databases and no other, created on first use and kept in step
 * with the databases its pipelines load into. The platform's own credentials never reach a
 * plugin process.
 *
 * - Servers with SQL access control (20.5+, production's 24.x): CREATE USER and GRANT, run
 *   as the platform user (which needs access management).
 * - Older servers (18.16 here): a users.d file, when the operator says where the server's
 *   users.d folder is (SLUICE_CLICKHOUSE_USERS_DIR).
 * - An older server without that folder: the platform login, with a warning in the worker
 *   log; the namespace rule (pipelines/destination-database.ts) is then the only guard.
 *
 * Throws AppError('unavailable') with a message for the person reading the run when the
 * warehouse cannot be reached or refuses to set the login up.
 */
export async function tenantWarehouseLogin(deps: Deps, tenant: { id: string; slug: string }, database: string): Promise<WarehouseLogin> {
  const problem = destinationDatabaseProblem(tenant.slug, database);
  if (problem) throw new AppError('forbidden', `The destination database ${problem}`);
  const platform = createClient({ url: deps.env.CLICKHOUSE_URL, username: deps.env.CLICKHOUSE_USER, password: deps.env.CLICKHOUSE_PASSWORD, request_timeout: 30_000, log: QUIET });
  try {
    const version = await warehouseStep(deps, 'read the warehouse version', () => serverVersion(platform));
    const usersDir = deps.env.SLUICE_CLICKHOUSE_USERS_DIR;
    if (!supportsAccessControl(version) && !usersDir) {
      warnSharedLoginOnce(deps.log, version);
      return { url: deps.env.CLICKHOUSE_URL, user: deps.env.CLICKHOUSE_USER, password: deps.env.CLICKHOUSE_PASSWORD };
    }
    const login = await storedLogin(deps, tenant);
    // Created by the platform, so the tenant's user needs no right to create databases at large.
    await warehouseStep(deps, 'create the destination database', () => platform.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`` }));
    if (supportsAccessControl(version)) {
      for (const statement of tenantUserStatements(version, tenant.slug, login.password, [database])) {
        await warehouseStep(deps, 'set up this workspace\'s warehouse login', () => platform.command({ query: statement }), login.password);
      }
    } else {
      const databases = await tenantDatabases(deps.db, tenant, database);
      await warehouseStep(deps, 'write this workspace\'s warehouse login', () => writeUsersFile(usersDir!, login.user, usersFileXml(login.user, login.password, databases)));
      // Waits even when this call found the file as it should be: another worker may have written it a moment ago.
      await untilLoginReaches(deps, login, database);
    }
    return login;
  } finally {
    await platform.close();
  }
}

async function serverVersion(client: ClickHouseClient): Promise<string> {
  const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const rows = (await result.json()) as Array<{ v: string }>;
  return rows[0]?.v ?? '0';
}

/** The tenant's user and password: made once (a race between two workers keeps the first). */
async function storedLogin(deps: Deps, tenant: { id: string; slug: string }): Promise<WarehouseLogin> {
  const user = warehouseUserName(tenant.slug);
  const password = randomBytes(32).toString('base64url');
  await deps.db
    .insert(warehouseLogins)
    .values({ tenantId: tenant.id, userName: user, ...sealSecrets(deps.keyring, warehouseLoginBinding(tenant.id), { password }) })
    .onConflictDoNothing();
  const row = await deps.db.query.warehouseLogins.findFirst({ where: (w, { eq: is }) => is(w.tenantId, tenant.id) });
  if (!row) throw new Error(`warehouse login of tenant ${tenant.id} vanished`);
  const opened = openSecrets(deps.keyring, warehouseLoginBinding(tenant.id), row);
  return { url: deps.env.CLICKHOUSE_URL, user: row.userName, password: String(opened.password) };
}

/** Every database the tenant's pipelines load into on the platform ClickHouse, plus `database`. */
async function tenantDatabases(db: Db, tenant: { id: string; slug: string }, database: string): Promise<string[]> {
  const rows = await db
    .select({ database: pipelines.destinationDatabase })
    .from(pipelines)
    .where(and(eq(pipelines.tenantId, tenant.id), isNull(pipelines.destinationConnectorId)));
  // Only names in the tenant's namespace, whatever an old row holds.
  const names = [defaultDestinationDatabase(tenant.slug), database, ...rows.map((r) => r.database)];
  return names.filter((name) => destinationDatabaseProblem(tenant.slug, name) === undefined);
}

/** Waits until ClickHouse has read the login's file: the login works and reaches `database`. */
async function untilLoginReaches(deps: Deps, login: WarehouseLogin, database: string): Promise<void> {
  // Opening a session in `database` is what checks the user may use it (SHOW TABLES does not, on 18.16).
  const client = createClient({ url: login.url, username: login.user, password: login.password, database, request_timeout: 10_000, log: QUIET });
  const deadline = Date.now() + USERS_FILE_PICKUP_MS;
  try {
    for (;;) {
      try {
        await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          deps.log.error({ err: error, user: login.user, usersDir: deps.env.SLUICE_CLICKHOUSE_USERS_DIR }, 'the warehouse did not pick up a tenant login file');
          throw new AppError(
            'unavailable',
            "The warehouse did not accept this workspace's login in time, so nothing was loaded. Try again in a minute; if it keeps happening, ask your Sluice operator to check that SLUICE_CLICKHOUSE_USERS_DIR is the users.d folder of the ClickHouse server at CLICKHOUSE_URL.",
          );
        }
        await sleep(250);
      }
    }
  } finally {
    await client.close();
  }
}

/** Runs one step against the warehouse; a failure becomes a message for the run, its details go to the worker log. */
async function warehouseStep<T>(deps: Deps, what: string, step: () => Promise<T>, secret?: string): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.error({ error: secret ? message.replaceAll(secret, '********') : message }, `warehouse: could not ${what}`);
    throw new AppError('unavailable', `Sluice could not ${what}, so nothing was loaded. Try again in a few minutes; if it keeps failing, ask your Sluice operator to look at the worker log.`);
  }
}

let warnedShared = false;
function warnSharedLoginOnce(log: Logger, version: string) {
  if (warnedShared) return;
  warnedShared = true;
  log.warn(
    { clickhouseVersion: version },
    'ClickHouse before 20.5 has no SQL users and SLUICE_CLICKHOUSE_USERS_DIR is not set: syncs load with the platform ClickHouse login, guarded only by the database namespace rule. Set SLUICE_CLICKHOUSE_USERS_DIR to the server\'s users.d folder for a login per workspace.',
  );
}
