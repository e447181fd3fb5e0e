import { readFile } from 'node:fs/promises';
import { parseStreamModes, type SyncMode } from './sync-modes.js';

/** The target's settings; meltano.yml declares the same names for Meltano. */
export const settingsDoc = {
  url: 'ClickHouse HTTP URL',
  user: 'ClickHouse user',
  password: 'ClickHouse password (secret)',
  database: 'Database the tables are created in (created if missing); one per tenant by default',
  table_prefix: 'Prefix for every table name',
  tenant_id: 'When set, every row carries it in _sluice_tenant_id (first sorting key), for databases shared by tenants',
  batch_size_rows: 'Insert after this many rows of a stream',
  batch_size_bytes: 'Insert after this many bytes of a stream',
  batch_max_age_ms: 'Insert rows that have waited this long, even if the batch is small',
  stream_modes: 'Per stream: "overwrite" (replace the table each run), "append" (keep every row) or "deduped" (newest row per key); JSON object, e.g. {"orders": "overwrite"}',
  progress_interval_ms: 'Print a load_progress METRIC line per stream this often while loading (0 = off)',
  untyped_numbers:
    'What a number column becomes when the source gives no precision: float (Float64, the default; values with more digits than it keeps are set aside in _sluice_rejects) or decimal (Decimal(38, 10): 28 digits before the point, 10 after)',
} as const;

export type TargetConfig = {
  url: string;
  user: string;
  password: string;
  database: string;
  table_prefix: string;
  tenant_id: string | undefined;
  batch_size_rows: number;
  batch_size_bytes: number;
  batch_max_age_ms: number;
  stream_modes: Record<string, SyncMode>;
  progress_interval_ms: number;
  untyped_numbers: 'float' | 'decimal';
};

/*
 * Checked by hand rather than with zod, as the tap's settings are: zod alone adds ~13 MB to a
 * Node process (measured: 41 → 54 MB RSS), and the loader runs beside every sync, whose
 * processes together should stay under 150 MB (issue 13; a PyPI tap alone takes 80–90 MB).
 */
const problem = (name: string, text: string) => new Error(`Setting "${name}" ${text}`);

function text(settings: Record<string, unknown>, name: string, fallback: string, rule?: { pattern: RegExp; problem: string }): string {
  const value = settings[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw problem(name, `must be text, not ${JSON.stringify(value)}`);
  if (rule && !rule.pattern.test(value)) throw problem(name, rule.problem);
  return value;
}

/** A whole number, as a number or as text (Meltano passes settings through the environment as text). */
function whole(settings: Record<string, unknown>, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = settings[name];
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw problem(name, `must be a whole number ${range}, not ${JSON.stringify(value)}`);
  }
  return n;
}

function clickhouseUrl(settings: Record<string, unknown>): string {
  const value = text(settings, 'url', 'http://127.0.0.1:8123');
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw problem('url', 'must be a URL like http://127.0.0.1:8123');
  return value;
}

/** The settings as the loader uses them; throws naming the first setting that is wrong. Unknown settings are ignored. */
export function parseTargetConfig(settings: Record<string, unknown>): TargetConfig {
  const modes = settings.stream_modes === undefined ? { modes: {} } : parseStreamModes(settings.stream_modes);
  if ('error' in modes) throw problem('stream_modes', modes.error);
  const untyped = settings.untyped_numbers ?? 'float';
  if (untyped !== 'float' && untyped !== 'decimal') throw problem('untyped_numbers', 'must be float or decimal');
  const tenant = settings.tenant_id === undefined ? undefined : text(settings, 'tenant_id', '');
  if (tenant !== undefined && tenant.length > 200) throw problem('tenant_id', 'must be at most 200 characters');
  return {
    url: clickhouseUrl(settings),
    user: text(settings, 'user', 'default'),
    password: text(settings, 'password', ''),
    database: text(settings, 'database', 'sluice', { pattern: /^[A-Za-z_][A-Za-z0-9_]{0,127}$/, problem: 'must be letters, digits and _ (not starting with a digit)' }),
    table_prefix: text(settings, 'table_prefix', '', { pattern: /^[A-Za-z0-9_]{0,64}$/, problem: 'must be letters, digits and _' }),
    tenant_id: tenant,
    batch_size_rows: whole(settings, 'batch_size_rows', 200_000, 1, 1_000_000),
    batch_size_bytes: whole(settings, 'batch_size_bytes', 128 * 1024 * 1024, 1024, 1 << 30),
    batch_max_age_ms: whole(settings, 'batch_max_age_ms', 30_000, 100),
    stream_modes: modes.modes,
    progress_interval_ms: whole(settings, 'progress_interval_ms', 3000, 0),
    untyped_numbers: untyped,
  };
}

/** Reads and merges the `--config` files (later files win), then validates. */
export async function loadTargetConfig(files: string[]): Promise<TargetConfig> {
  let merged: Record<string, unknown> = {};
  for (const file of files) {
    const body = await readFile(file, 'utf8').catch(() => {
      throw new Error(`Config file ${file} cannot be read`);
    });
    try {
      merged = { ...merged, ...(JSON.parse(body) as Record<string, unknown>) };
    } catch {
      throw new Error(`Config file ${file} is not valid JSON`);
    }
  }
  // Meltano passes unset settings as null; treat them as absent so defaults apply.
  const present = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null && v !== ''));
  return parseTargetConfig(present);
}
