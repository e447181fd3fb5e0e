import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { openSecrets, sealSecrets, type Keyring } from '../../db/crypto.js';
import { connectors } from '../../db/schema/index.js';
import { validateConfig } from '../../meltano/config-validation.js';
import { secretSettingNames } from '../../meltano/settings-schema.js';
import { AppError, notFound } from '../errors.js';
import * as catalog from '../plugins/service.js';

export type Connector = typeof connectors.$inferSelect;
export const MASK = '********';

export type CreateConnectorInput = { name: string; plugin: string; config: Record<string, unknown> };

/** Splits a config into the part stored as JSON and the secret part that is encrypted. */
function splitSecrets(secretNames: string[], config: Record<string, unknown>) {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined || value === '') continue;
    (secretNames.includes(key) ? secret : plain)[key] = value;
  }
  return { plain, secret };
}

async function pluginOrFail(db: Db, name: string) {
  const plugin = await catalog.getPlugin(db, name);
  if (!plugin) throw new AppError('validation_failed', `There is no connector type "${name}". Pick one from the catalog.`, { plugin: ['is not in the catalog'] });
  return plugin;
}

export async function createConnector(db: Db, keyring: Keyring, tenantId: string, input: CreateConnectorInput) {
  const plugin = await pluginOrFail(db, input.plugin);
  const definition = catalog.pluginDefinitionOf(plugin);
  const fields = validateConfig(definition, input.config);
  if (Object.keys(fields).length > 0) throw new AppError('validation_failed', 'Some settings need attention.', fields);
  const { plain, secret } = splitSecrets(secretSettingNames(definition), input.config);
  const id = randomUUID();
  const sealed = Object.keys(secret).length > 0 ? sealSecrets(keyring, id, secret) : undefined;
  const [row] = await db
    .insert(connectors)
    .values({
      id,
      tenantId,
      name: input.name,
      pluginName: plugin.name,
      config: plain,
      secretCiphertext: sealed?.ciphertext ?? null,
      wrappedKey: sealed?.wrappedKey ?? null,
      keyId: sealed?.keyId ?? null,
      secretNames: Object.keys(secret),
    })
    .onConflictDoNothing({ target: [connectors.tenantId, connectors.name] })
    .returning();
  if (!row) throw new AppError('conflict', `A connector named "${input.name}" already exists. Choose another name.`, { name: ['is already taken'] });
  return row;
}

export async function getConnector(db: Db, tenantId: string, id: string) {
  const row = await db.query.connectors.findFirst({ where: and(eq(connectors.tenantId, tenantId), eq(connectors.id, id)) });
  if (!row) throw notFound('Connector');
  return row;
}

export const listConnectors = (db: Db, tenantId: string) =>
  db.select().from(connectors).where(eq(connectors.tenantId, tenantId)).orderBy(desc(connectors.createdAt), desc(connectors.id));

/** What a run needs: the full config in plaintext (worker memory only) and the secret values to scrub from logs. */
export async function loadConnectorForRun(db: Db, keyring: Keyring, connector: Connector) {
  const secrets =
    connector.secretCiphertext && connector.wrappedKey && connector.keyId
      ? openSecrets(keyring, connector.id, { ciphertext: connector.secretCiphertext, wrappedKey: connector.wrappedKey, keyId: connector.keyId })
      : {};
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
    config: { ...c.config, ...Object.fromEntries(Object.entries(secrets).filter(([, s]) => s.has_value).map(([k]) => [k, MASK])) },
    secrets,
    status: c.status,
    last_test: c.lastTestAt ? { at: c.lastTestAt.toISOString(), ok: c.lastTestOk, error: c.lastTestError } : null,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
