import { masterKeyFromBase64, type Keyring } from './crypto.js';

/**
 * The keyring from configuration: the current master key, which seals everything new, and
 * the previous ones, still accepted for opening until `sluice keys rotate` has re-wrapped
 * every data key.
 */
export function keyringFrom(env: { SLUICE_MASTER_KEY: string; SLUICE_MASTER_KEY_ID: string; SLUICE_PREVIOUS_MASTER_KEYS?: string | undefined }): Keyring {
  const previous = (env.SLUICE_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const [id, key] = pair.split(':');
      return masterKeyFromBase64(id!, key!);
    });
  return { current: masterKeyFromBase64(env.SLUICE_MASTER_KEY_ID, env.SLUICE_MASTER_KEY), previous };
}
