import { and, eq, isNotNull, ne } from 'drizzle-orm';
import type { Db } from './client.js';
import { rewrapDataKey, type Keyring } from './crypto.js';
import { connectors, warehouseLoginBinding, warehouseLogins } from './schema/index.js';

/**
 * Re-wraps every data key that is not under the current master key (connector secrets and
 * tenants' warehouse logins), one row at a time and only if the row still holds what was
 * read, so it runs safely while the service writes: a row updated meanwhile was sealed with
 * the current key already.
 *
 * @returns how many data keys were re-wrapped
 */
export async function rotateMasterKey(db: Db, keyring: Keyring): Promise<number> {
  return (await rotateConnectorKeys(db, keyring)) + (await rotateWarehouseLoginKeys(db, keyring));
}

async function rotateConnectorKeys(db: Db, keyring: Keyring): Promise<number> {
  const stale = await db
    .select({ id: connectors.id, wrappedKey: connectors.wrappedKey, keyId: connectors.keyId, ciphertext: connectors.secretCiphertext })
    .from(connectors)
    .where(and(isNotNull(connectors.keyId), ne(connectors.keyId, keyring.current.id)));
  let rewrapped = 0;
  for (const row of stale) {
    const next = rewrapDataKey(keyring, row.id, { ciphertext: row.ciphertext!, wrappedKey: row.wrappedKey!, keyId: row.keyId! });
    const done = await db
      .update(connectors)
      .set({ wrappedKey: next.wrappedKey, keyId: next.keyId })
      .where(and(eq(connectors.id, row.id), eq(connectors.wrappedKey, row.wrappedKey!)))
      .returning({ id: connectors.id });
    rewrapped += done.length;
  }
  return rewrapped;
}

async function rotateWarehouseLoginKeys(db: Db, keyring: Keyring): Promise<number> {
  const stale = await db.select().from(warehouseLogins).where(ne(warehouseLogins.keyId, keyring.current.id));
  let rewrapped = 0;
  for (const row of stale) {
    const next = rewrapDataKey(keyring, warehouseLoginBinding(row.tenantId), row);
    const done = await db
      .update(warehouseLogins)
      .set({ wrappedKey: next.wrappedKey, keyId: next.keyId })
      .where(and(eq(warehouseLogins.tenantId, row.tenantId), eq(warehouseLogins.wrappedKey, row.wrappedKey)))
      .returning({ id: warehouseLogins.tenantId });
    rewrapped += done.length;
  }
  return rewrapped;
}
