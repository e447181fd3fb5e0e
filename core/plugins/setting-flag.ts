import { AppError } from '../errors.js';
import { labelFromName } from '../../meltano/about-settings.js';
import type { Setting } from '../../meltano/plugins.js';

const KINDS = ['string', 'integer', 'boolean', 'decimal', 'date_iso8601', 'email', 'options', 'file', 'array', 'object'] as const;

/**
 * A setting given on the command line for a plugin that cannot describe itself:
 * `name[:kind][:secret]`, e.g. `api_key:string:secret`, `start_date:date_iso8601`, `port:integer`.
 */
export function parseSettingFlag(flag: string): Setting {
  const [name = '', kind = 'string', ...rest] = flag.split(':');
  const problem = (why: string) => new AppError('validation_failed', `--setting ${flag}: ${why}`, { setting: [why] });
  if (!/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) throw problem('the name must be letters, digits and _ (dots for nested settings)');
  if (!(KINDS as readonly string[]).includes(kind)) throw problem(`the kind must be one of ${KINDS.join(', ')}`);
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'secret')) throw problem('write it as name[:kind][:secret]');
  return { name, kind: kind as Setting['kind'], label: labelFromName(name.split('.').at(-1)!), ...(rest[0] === 'secret' ? { sensitive: true } : {}) };
}
