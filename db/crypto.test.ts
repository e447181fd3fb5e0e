import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { masterKeyFromBase64, openSecrets, sealSecrets, type Keyring } from './crypto.js';

const keyring: Keyring = { current: masterKeyFromBase64('k1', randomBytes(32).toString('base64')) };

describe('envelope encryption', () => {
  it('round-trips and never stores the plaintext', () => {
    const sealed = sealSecrets(keyring, 'connector-1', { password: 'hunter2-very-secret' });
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    expect(sealed.keyId).toBe('k1');
    expect(openSecrets(keyring, 'connector-1', sealed)).toEqual({ password: 'hunter2-very-secret' });
  });

  it('uses a fresh data key and IV each time', () => {
    const a = sealSecrets(keyring, 'c', { p: 'x' });
    const b = sealSecrets(keyring, 'c', { p: 'x' });
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
  });

  it('refuses a ciphertext moved to another connector, a tampered one, or an unknown key', () => {
    const sealed = sealSecrets(keyring, 'connector-1', { password: 'x' });
    expect(() => openSecrets(keyring, 'connector-2', sealed)).toThrow();
    const parts = sealed.ciphertext.split('.');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => openSecrets(keyring, 'connector-1', { ...sealed, ciphertext: parts.join('.') })).toThrow();
    expect(() => openSecrets(keyring, 'connector-1', { ...sealed, keyId: 'k9' })).toThrow(/Master key "k9" is not configured/);
  });

  it('opens data keys wrapped by a previous master key after rotation', () => {
    const sealed = sealSecrets(keyring, 'c', { token: 't' });
    const rotated: Keyring = { current: masterKeyFromBase64('k2', randomBytes(32).toString('base64')), previous: [keyring.current] };
    expect(openSecrets(rotated, 'c', sealed)).toEqual({ token: 't' });
  });
});
