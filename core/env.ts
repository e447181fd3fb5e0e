import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseAllowedNetworks } from './connectors/network-policy.js';

/**
 * The one place that reads process.env. Entry points call `loadEnv()` once and pass the
 * result (or the parts a module needs) down; nothing else touches process.env.
 */
const urlWithProtocol = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );

const masterKey = z.string().refine((value) => Buffer.from(value, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(value), {
  message: 'must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
});

const allowedNetworks = z
  .string()
  .default('')
  .superRefine((value, ctx) => {
    const parsed = parseAllowedNetworks(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `must be comma-separated networks like 127.0.0.1/32:5433,10.0.0.0/8 (CIDR, optional :port); "${parsed.entry}" is not one` });
  });

/** Files of file-based connectors live in a folder per tenant under here; outside .data/, which plugins must not read. */
const defaultFilesDir = fileURLToPath(new URL('../files', import.meta.url));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1).max(65535).default(8080),
  DATABASE_URL: urlWithProtocol(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/sluice'),
  REDIS_URL: urlWithProtocol(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  CLICKHOUSE_URL: urlWithProtocol(['http', 'https']).default('http://127.0.0.1:8123'),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  // ClickHouse before 20.5 only: the server's users.d folder, where the worker writes each
  // workspace's own login (core/warehouse/tenant-login.ts). 20.5+ gets SQL users instead.
  SLUICE_CLICKHOUSE_USERS_DIR: z.string().min(1).optional(),
  SLUICE_MASTER_KEY: masterKey,
  SLUICE_MASTER_KEY_ID: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be 1-32 lowercase letters, digits or dashes').default('k1'),
  SLUICE_PREVIOUS_MASTER_KEYS: z
    .string()
    .refine((value) => value.split(',').every((pair) => /^[a-z0-9-]{1,32}:[A-Za-z0-9+/]+={0,2}$/.test(pair.trim()) && Buffer.from(pair.split(':')[1]!, 'base64').length === 32), {
      message: 'must be a comma-separated list of <key id>:<32 bytes base64>',
    })
    .optional(),
  SLUICE_QUEUE_PREFIX: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'must be 1-40 lowercase letters, digits, _ or -').default('sluice'),
  WORKER_CONCURRENCY: z.coerce.number({ message: 'must be a number' }).int().min(1).max(64).default(2),
  WORKER_INTERACTIVE_CONCURRENCY: z.coerce.number({ message: 'must be a number' }).int().min(1).max(64).default(4),
  TENANT_MAX_CONCURRENT_SYNCS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(2),
  TEST_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(5).default(120),
  DISCOVER_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(5).default(600),
  SYNC_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(10).default(6 * 3600),
  // How old the connector's last discovery may be for a sync to start from it instead of
  // discovering first (core/pipelines/discovery-reuse.ts); 0 discovers before every sync.
  SLUICE_DISCOVERY_REUSE_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(30 * 86_400).default(3600),
  SYNC_RETRY_DELAY_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0.1).max(3600).default(30),
  // The reconciler's pass (core/runs/reconciler.ts); 0 turns it off, for processes that share a
  // database with other queue prefixes (tests), where every other prefix's run would look lost.
  SLUICE_RECONCILE_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(3600).default(60),
  LOG_RETENTION_DAYS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(3650).default(30),
  SLUICE_ALLOWED_SOURCE_NETWORKS: allowedNetworks,
  SLUICE_FILES_DIR: z.string().min(1).default(defaultFilesDir),
  // The meltano.yml that plugin registrations (`plugins add`, POST /catalog) edit; the project's own by default.
  SLUICE_MELTANO_FILE: z.string().min(1).default(fileURLToPath(new URL('../meltano.yml', import.meta.url))),
  // Set to true only when a reverse proxy you run sits in front of the API: then its
  // X-Forwarded-For / X-Forwarded-Proto name the client (sign-in limits, Secure cookie, HSTS).
  SLUICE_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  SLUICE_PLUGIN_UIDS: z
    .string()
    .regex(/^\d+-\d+$/, 'must be a range of numeric user ids like 200000-299999')
    .refine((value) => {
      const [from, to] = value.split('-').map(Number) as [number, number];
      return from >= 1000 && to - from >= 16 && to < 2 ** 31;
    }, 'must span at least 16 ids, from 1000 up, below 2^31')
    .default('200000-299999'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Validates only the named variables. */
export function loadEnvPart<K extends keyof Env>(keys: K[], source: Record<string, string | undefined> = process.env): Pick<Env, K> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of keys) {
    const raw = source[key] === '' ? undefined : source[key];
    const result = envSchema.shape[key].safeParse(raw);
    if (result.success) values[key] = result.data;
    else problems.push(`${key} ${raw === undefined ? 'is required but not set' : (result.error.issues[0]?.message ?? 'is not valid')}`);
  }
  if (problems.length > 0) throw new EnvError(`Invalid environment: ${problems.join('; ')}`);
  return values as Pick<Env, K>;
}

function describeIssues(issues: z.core.$ZodIssue[], present: Record<string, unknown>): string {
  return issues
    .map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const message = issue.code === 'invalid_type' && present[name] === undefined ? 'is required but not set' : issue.message;
      return `${name} ${message}`;
    })
    .join('; ');
}

export class EnvError extends Error {
  override name = 'EnvError';
}

/**
 * Parses and validates the environment. Throws EnvError whose message is one line per
 * bad variable, naming it and saying what is wrong (never echoing its value: it may be a
 * secret).
 *
 * @example
 * const env = loadEnv({ SLUICE_MASTER_KEY: 'base64...', PORT: '9090' });
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means "not set" so `PORT= npm run up` falls back to the default.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  throw new EnvError(`Invalid environment: ${describeIssues(result.error.issues, present)}`);
}

/**
 * For entry points: load the environment or stop the process with one clear line.
 * `keys` limits validation to what a small command needs (a migration needs no master key).
 */
export function loadEnvOrExit(): Env;
export function loadEnvOrExit<K extends keyof Env>(keys: K[]): Pick<Env, K>;
export function loadEnvOrExit(keys?: Array<keyof Env>): Partial<Env> {
  try {
    return keys ? loadEnvPart(keys) : loadEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
