import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseStreamModes } from './sync-modes.js';

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

const configSchema = z.object({
  url: z.string().url('must be a URL like http://127.0.0.1:8123').default('http://127.0.0.1:8123'),
  user: z.string().default('default'),
  password: z.string().default(''),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be letters, digits and _ (not starting with a digit)').default('sluice'),
  table_prefix: z.string().regex(/^[A-Za-z0-9_]{0,64}$/, 'must be letters, digits and _').default(''),
  tenant_id: z.string().min(1).max(200).optional(),
  batch_size_rows: z.coerce.number().int().min(1).max(1_000_000).default(200_000),
  batch_size_bytes: z.coerce.number().int().min(1024).max(1 << 30).default(128 * 1024 * 1024),
  batch_max_age_ms: z.coerce.number().int().min(100).default(30_000),
  // An object in a config file; JSON text when Meltano passes it through the environment.
  stream_modes: z
    .unknown()
    .transform((value, ctx) => {
      const parsed = parseStreamModes(value);
      if ('modes' in parsed) return parsed.modes;
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    })
    .default({}),
  progress_interval_ms: z.coerce.number().int().min(0).default(3000),
  untyped_numbers: z.enum(['float', 'decimal'], { message: 'must be float or decimal' }).default('float'),
});

export type TargetConfig = z.infer<typeof configSchema>;

/** Reads and merges the `--config` files (later files win), then validates. */
export async function loadTargetConfig(files: string[]): Promise<TargetConfig> {
  let merged: Record<string, unknown> = {};
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new Error(`Config file ${file} cannot be read`);
    });
    try {
      merged = { ...merged, ...(JSON.parse(text) as Record<string, unknown>) };
    } catch {
      throw new Error(`Config file ${file} is not valid JSON`);
    }
  }
  // Meltano passes unset settings as null; treat them as absent so defaults apply.
  const present = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null && v !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`Setting "${issue.path.join('.')}" ${issue.message}`);
  }
  return result.data;
}
