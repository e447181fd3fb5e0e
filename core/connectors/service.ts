import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { openSecrets, sealSecrets, type Keyring } from '../../db/crypto.js';
import { isUniqueViolation } from '../../db/errors.js';
import { connectors, pipelines } from '../../db/schema/index.js';
import { InvalidSchemaError, validateConfig } from '../../meltano/config-validation.js';
import { secretNamesOf } from '../../meltano/settings-schema.js';
import type { Acting } from '../acting.js';
import { diff, recordAudit, secretChange } from '../audit/service.js';
import { connectorSettingProblems } from './access-policy.js';
import { AppError, notFound } from '../errors.js';
import type { Cursor } from '../pagination.js';
import { destinationDatabaseErrors } from '../pipelines/destination-database.js';
import * as catalog from '../plugins/service.js';
import { lastDiscovery } from '../pipelines/last-discovery.js';
import { resolveStreams } from '../pipelines/stream-selection.js';

export type Connector = typeof connectors.$inferSelect;
export const MASK = '********';

export type CreateConnectorInput = { name: string; plugin: string; config: Record<string, unknown> };
/** `config` keys given replace; a secret left out is kept; null clears a setting. */
export type UpdateConnectorInput = { name?: string | undefined; config?: Record<string, unknown> | undefined };

async function pluginOrFail(db: DbOrTx, name: string) {
  const plugin = await catalog.getPlugin(db, name);
  if (!plugin) throw new AppError('validation_failed', `There is no connector type "${name}". Pick one from the catalog.`, { plugin: ['is not in the catalog'] });
  return plugin;
}

/** Splits a config into the part stored as JSON and the secret part that is encrypted; empty values are dropped. */
function splitSecrets(secretNames: string[], config: Record<string, unknown>) {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined || value === '') continue;
    (secretNames.includes(key) ? secret : plain)[key] = value;
  }
  return { plain, secret };
}

function invalid(fields: Record<string, string[]>) {
  return new AppError('validation_failed', 'Some settings need attention.', fields);
}

/** What is wrong with a config for its plugin (its settings schema, then the access policy), keyed by setting or nested field. */
function configProblems(plugin: catalog.Plugin, config: Record<string, unknown>) {
  try {
    return { ...validateConfig(plugin.configSchema, config), ...connectorSettingProblems(plugin.configSchema, config) };
  } catch (error) {
    // Only a platform admin can fix a plugin's schema; the person creating a connector is told so, not given a 500.
    if (error instanceof InvalidSchemaError)
      throw new AppError('validation_failed', `${error.message} A platform admin must fix or register "${plugin.name}" again.`, { plugin: ['has a settings description Sluice cannot use'] });
    throw error;
  }
}

/** A tenant's own ClickHouse connector names a database too: it must be in the tenant's namespace, like a pipeline's. */
async function namespaceErrors(db: DbOrTx, acting: Acting, plugin: string, config: Record<string, unknown>) {
  if (plugin !== 'target-clickhouse' || typeof config.database !== 'string' || config.database === '') return {};
  return destinationDatabaseErrors(db, acting, config.database, 'database');
}

const nameTaken = (name: string) => new AppError('conflict', `A connector named "${name}" already exists. Choose another name.`, { name: ['is already taken'] });

function sealed(keyring: Keyring, id: string, secret: Record<string, unknown>) {
  const s = Object.keys(secret).length > 0 ? sealSecrets(keyring, id, secret) : undefined;
  return { secretCiphertext: s?.ciphertext ?? null, wrappedKey: s?.wrappedKey ?? null, keyId: s?.keyId ?? null, secretNames: Object.keys(secret) };
}

function openConnectorSecrets(keyring: Keyring, c: Connector): Record<string, unknown> {
  if (!c.secretCiphertext || !c.wrappedKey || !c.keyId) return {};
  return openSecrets(keyring, c.id, { ciphertext: c.secretCiphertext, wrappedKey: c.wrappedKey, keyId: c.keyId });
}

export async function createConnector(db: Db, keyring: Keyring, acting: Acting, input: CreateConnectorInput) {
  const plugin = await pluginOrFail(db, input.plugin);
  const fields = configProblems(plugin, input.config);
  if (Object.keys(fields).length === 0) Object.assign(fields, await namespaceErrors(db, acting, plugin.name, input.config));
  if (Object.keys(fields).length > 0) throw invalid(fields);
  const { plain, secret } = splitSecrets(secretNamesOf(plugin.configSchema), input.config);
  const id = randomUUID();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(connectors)
      .values({ id, tenantId: acting.tenantId, name: input.name, pluginName: plugin.name, config: plain, ...sealed(keyring, id, secret) })
      .onConflictDoNothing({ target: [connectors.tenantId, connectors.name] })
      .returning();
    if (!row) throw nameTaken(input.name);
    await recordAudit(tx, {
      ...acting,
      action: 'connector.create',
      resourceType: 'connector',
      resourceId: id,
      changes: { name: input.name, plugin: plugin.name, config: plain, ...Object.fromEntries(Object.keys(secret).map((k) => [k, secretChange('set')])) },
    });
    return row;
  });
}

export async function getConnector(db: Db, tenantId: string, id: string) {
  const row = await db.query.connectors.findFirst({ where: and(eq(connectors.tenantId, tenantId), eq(connectors.id, id)) });
  if (!row) throw notFound('Connector');
  return row;
}

export async function listConnectors(db: Db, tenantId: string, query: { limit: number; cursor?: Cursor | undefined; status?: string | undefined; plugin?: string | undefined }) {
  const filters: Array<SQL | undefined> = [eq(connectors.tenantId, tenantId)];
  if (query.status) filters.push(eq(connectors.status, query.status as Connector['status']));
  if (query.plugin) filters.push(eq(connectors.pluginName, query.plugin));
  if (query.cursor) {
    const at = new Date(query.cursor.at);
    filters.push(or(lt(connectors.createdAt, at), and(eq(connectors.createdAt, at), lt(connectors.id, query.cursor.id))));
  }
  return db.select().from(connectors).where(and(...filters)).orderBy(desc(connectors.createdAt), desc(connectors.id)).limit(query.limit + 1);
}

export async function updateConnector(db: Db, keyring: Keyring, acting: Acting, id: string, input: UpdateConnectorInput) {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(connectors).where(and(eq(connectors.tenantId, acting.tenantId), eq(connectors.id, id))).for('update');
    if (!current) throw notFound('Connector');
    // On the transaction's own connection: asking the pool for a second one while holding
    // this one deadlocks once as many PATCHes run at once as the pool has connections.
    const plugin = await pluginOrFail(tx, current.pluginName);
    const secretNames = secretNamesOf(plugin.configSchema);
    const patch = input.config ?? {};
    const oldSecrets = openConnectorSecrets(keyring, current);
    // Validated as the config will be after the change: types of what changed, required settings of the whole.
    const merged = { ...current.config, ...oldSecrets, ...patch };
    const after = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null && v !== undefined && v !== ''));
    const fields = configProblems(plugin, after);
    if (Object.keys(fields).length === 0) Object.assign(fields, await namespaceErrors(tx, acting, plugin.name, after));
    if (Object.keys(fields).length > 0) throw invalid(fields);
    const { plain, secret } = splitSecrets(secretNames, after);
    const changes: Record<string, unknown> = diff(current.config, plain);
    for (const name of secretNames) {
      if (!(name in patch)) continue;
      const had = name in oldSecrets;
      const has = name in secret;
      if (had && !has) changes[name] = secretChange('cleared');
      else if (has) changes[name] = secretChange(had ? 'replaced' : 'set');
    }
    if (input.name !== undefined && input.name !== current.name) changes.name = { from: current.name, to: input.name };
    const configChanged = Object.keys(changes).some((k) => k !== 'name');
    const [row] = await tx
      .update(connectors)
      .set({
        name: input.name ?? current.name,
        config: plain,
        ...sealed(keyring, id, secret),
        // A changed config has not been tested yet.
        ...(configChanged ? { status: 'inactive' as const } : {}),
        updatedAt: new Date(),
      })
      .where(eq(connectors.id, id))
      .returning()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw nameTaken(input.name ?? '');
        throw error;
      });
    await recordAudit(tx, { ...acting, action: 'connector.update', resourceType: 'connector', resourceId: id, changes });
    return row!;
  });
}

export async function deleteConnector(db: Db, acting: Acting, id: string) {
  await db.transaction(async (tx) => {
    const [current] = await tx.select().from(connectors).where(and(eq(connectors.tenantId, acting.tenantId), eq(connectors.id, id))).for('update');
    if (!current) throw notFound('Connector');
    const [used] = await tx
      .select({ n: count() })
      .from(pipelines)
      .where(and(eq(pipelines.tenantId, acting.tenantId), or(eq(pipelines.sourceConnectorId, id), eq(pipelines.destinationConnectorId, id))));
    if ((used?.n ?? 0) > 0) throw new AppError('conflict', `"${current.name}" is used by ${used!.n} pipeline(s). Delete or change those first.`);
    await tx.delete(connectors).where(eq(connectors.id, id));
    await recordAudit(tx, { ...acting, action: 'connector.delete', resourceType: 'connector', resourceId: id, changes: { name: current.name, plugin: current.pluginName } });
  });
}

/** What a run needs: the full config in plaintext (worker memory only) and the secret values to scrub from logs. */
export function loadConnectorForRun(keyring: Keyring, connector: Connector) {
  const secrets = openConnectorSecrets(keyring, connector);
  const secretValues = Object.values(secrets).flatMap((v) => (typeof v === 'string' ? [v] : [JSON.stringify(v)]));
  return { config: { ...connector.config, ...secrets }, secretValues };
}

export async function recordTestResult(db: Db, id: string, ok: boolean, error: string | null) {
  await db
    .update(connectors)
    .set({ lastTestAt: new Date(), lastTestOk: ok, lastTestError: error, status: ok ? 'active' : 'error', updatedAt: new Date() })
    .where(eq(connectors.id, id));
}

/** The API view: secrets are never returned, only whether they hold a value. */
export function presentConnector(c: Connector, secretNames: string[]) {
  const secrets = Object.fromEntries(secretNames.map((name) => [name, { value: c.secretNames.includes(name) ? MASK : null, has_value: c.secretNames.includes(name) }]));
  return {
    id: c.id,
    name: c.name,
    plugin: c.pluginName,
    config: { ...c.config, ...Object.fromEntries(c.secretNames.map((k) => [k, MASK])) },
    secrets,
    status: c.status,
    last_test: c.lastTestAt ? { at: c.lastTestAt.toISOString(), ok: c.lastTestOk, error: c.lastTestError } : null,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

/** What the last discovery found for a connector, if it ran: each stream with its sync modes, keys and default. */
export const discoveredStreams = (db: Db, connectorId: string) => lastDiscovery(db, connectorId);

/** A preview's stream must be one discovery found, when the connector has been discovered (the sync rule, core/pipelines/stream-selection.ts). */
export async function checkPreviewStream(db: Db, connectorId: string, stream: string): Promise<void> {
  const found = await discoveredStreams(db, connectorId);
  if (!found) return;
  const problems = resolveStreams([{ stream }], found.streams).errors['streams.0.stream'];
  if (problems) throw new AppError('validation_failed', 'Some fields need attention.', { stream: problems });
}
