import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption for connector secrets. Each connector gets a random 256-bit data key;
 * its secrets are sealed with AES-256-GCM under that key, and the data key is sealed under
 * the master key (from SLUICE_MASTER_KEY) named by `keyId`. Rotating the master key only
 * re-wraps data keys. The connector's id is bound as associated data so a ciphertext copied
 * onto another row does not decrypt.
 */
export type MasterKey = { id: string; key: Buffer };
export type Keyring = { current: MasterKey; previous?: MasterKey[] };
export type SealedSecrets = { ciphertext: string; wrappedKey: string; keyId: string };

const VERSION = 'v1';

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('Encrypted value has an unknown format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
}

export function masterKeyFromBase64(id: string, base64: string): MasterKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error('A master key must be 32 bytes');
  return { id, key };
}

/**
 * @example
 * const sealed = sealSecrets(keyring, connectorId, { password: 's3cret' });
 * openSecrets(keyring, connectorId, sealed); // { password: 's3cret' }
 */
export function sealSecrets(keyring: Keyring, boundTo: string, secrets: Record<string, unknown>): SealedSecrets {
  const dataKey = randomBytes(32);
  return {
    ciphertext: seal(dataKey, Buffer.from(JSON.stringify(secrets)), boundTo),
    wrappedKey: seal(keyring.current.key, dataKey, `${keyring.current.id}:${boundTo}`),
    keyId: keyring.current.id,
  };
}

export function openSecrets(keyring: Keyring, boundTo: string, sealed: SealedSecrets): Record<string, unknown> {
  const master = [keyring.current, ...(keyring.previous ?? [])].find((k) => k.id === sealed.keyId);
  if (!master) throw new Error(`Master key "${sealed.keyId}" is not configured; cannot decrypt connector secrets`);
  const dataKey = open(master.key, sealed.wrappedKey, `${master.id}:${boundTo}`);
  return JSON.parse(open(dataKey, sealed.ciphertext, boundTo).toString('utf8')) as Record<string, unknown>;
}

/** Re-wraps a data key under the keyring's current master key; the ciphertext stays as it is. */
export function rewrapDataKey(keyring: Keyring, boundTo: string, sealed: SealedSecrets): SealedSecrets {
  const master = [keyring.current, ...(keyring.previous ?? [])].find((k) => k.id === sealed.keyId);
  if (!master) throw new Error(`Master key "${sealed.keyId}" is not configured; cannot re-wrap`);
  const dataKey = open(master.key, sealed.wrappedKey, `${master.id}:${boundTo}`);
  return { ciphertext: sealed.ciphertext, wrappedKey: seal(keyring.current.key, dataKey, `${keyring.current.id}:${boundTo}`), keyId: keyring.current.id };
}
