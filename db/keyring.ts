import { masterKeyFromBase64, type Keyring } from './crypto.js';

/** The keyring from configuration: the current master key (rotation adds previous ones, see issue 4). */
export function keyringFrom(env: { SLUICE_MASTER_KEY: string; SLUICE_MASTER_KEY_ID: string }): Keyring {
  return { current: masterKeyFromBase64(env.SLUICE_MASTER_KEY_ID, env.SLUICE_MASTER_KEY) };
}
