import { readFile } from 'node:fs/promises';

/**
 * The tap's settings. Names shared with meltanolabs-tap-postgres (host, port, user, password,
 * database, filter_schemas, sqlalchemy_url) mean the same, so one saved config works with either.
 */
export type TapConfig = {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  filter_schemas: string[];
  /** libpq's sslmode names: disable, allow, prefer (default), require, verify-ca, verify-full. */
  ssl_mode: SslMode;
  /** Tables read at once (one connection each). */
  max_parallel_streams: number;
  /** A STATE message after this many rows of an incremental stream. */
  state_every_rows: number;
};

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const aboutSettings = [
  { name: 'host', type: 'string', description: 'Hostname or IP address of the PostgreSQL server' },
  { name: 'port', type: 'integer', description: 'Port of the PostgreSQL server (5432)' },
  { name: 'user', type: 'string', description: 'User to sign in as; read access to the tables is enough' },
  { name: 'password', type: 'string', description: 'Password of that user', secret: true },
  { name: 'database', type: 'string', description: 'Database to read from' },
  { name: 'sqlalchemy_url', type: 'string', description: 'A postgresql://user:password@host:port/database URL, used instead of the five settings above', secret: true },
  { name: 'ssl_enable', type: 'boolean', description: 'Encrypt the connection (ssl_mode then defaults to verify-full)' },
  { name: 'ssl_mode', type: 'string', description: 'disable, allow, prefer (the default), require, verify-ca or verify-full, as in libpq' },
  { name: 'filter_schemas', type: 'array', description: 'Only read tables in these schemas (all schemas when empty)' },
  { name: 'max_parallel_streams', type: 'integer', description: 'Tables read at the same time (default 2)' },
  { name: 'state_every_rows', type: 'integer', description: 'Bookmark incremental streams after this many rows (default 100000)' },
] as const;

/** `--about --format=json`: settings as a JSON Schema, secrets marked. */
export function aboutDoc() {
  const properties: Record<string, unknown> = {};
  for (const s of aboutSettings as readonly { name: string; type: string; description: string; secret?: boolean }[]) {
    properties[s.name] = {
      type: s.type === 'array' ? ['array', 'null'] : [s.type, 'null'],
      description: s.description,
      ...(s.type === 'array' ? { items: { type: 'string' } } : {}),
      ...(s.name === 'ssl_mode' ? { enum: [...SSL_MODES, null] } : {}),
      ...(s.secret ? { secret: true, writeOnly: true } : {}),
    };
  }
  return {
    name: 'tap-sluice-postgres',
    description: 'Reads PostgreSQL tables fast with COPY (Sluice)',
    capabilities: ['catalog', 'discover', 'state', 'about', 'live-schema'],
    settings: { type: 'object', properties, required: [] as string[] },
  };
}

const asInt = (value: unknown, name: string, fallback: number, min: number): number => {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`setting "${name}" must be a whole number of at least ${min}, not ${JSON.stringify(value)}`);
  return n;
};

const asSchemas = (value: unknown): string[] => {
  if (value === undefined || value === null || value === '') return [];
  // Meltano passes arrays through the environment as JSON text.
  const parsed = typeof value === 'string' ? (value.trim().startsWith('[') ? (JSON.parse(value) as unknown) : value.split(',')) : value;
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error('setting "filter_schemas" must be a list of schema names');
  return parsed.map((s: string) => s.trim()).filter(Boolean);
};

function sslMode(mode: unknown, enable: unknown): SslMode {
  if (mode !== undefined && mode !== null && mode !== '') {
    if (!SSL_MODES.includes(mode as SslMode)) throw new Error(`setting "ssl_mode" must be one of ${SSL_MODES.join(', ')}`);
    return mode as SslMode;
  }
  // meltanolabs-tap-postgres: ssl_enable with its default ssl_mode, verify-full.
  return enable === true || enable === 'true' ? 'verify-full' : 'prefer';
}

/** The `ssl` option of the postgres package for a libpq sslmode. */
export function sslOption(mode: SslMode): boolean | 'allow' | 'prefer' | 'require' | 'verify-full' | { rejectUnauthorized: true; checkServerIdentity: () => undefined } {
  if (mode === 'disable') return false;
  // verify-ca: the certificate must be signed by a trusted authority, whatever host name it names.
  if (mode === 'verify-ca') return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return mode;
}

/** Reads a config object (several files merge, later ones win), with an optional URL in place of the five connection settings. */
export function parseConfig(raw: Record<string, unknown>): TapConfig {
  let fromUrl: Partial<TapConfig> = {};
  const url = raw.sqlalchemy_url ?? raw.url;
  if (typeof url === 'string' && url.trim()) {
    let parsed: URL;
    try {
      parsed = new URL(url.trim().replace(/^postgresql\+\w+:/, 'postgresql:'));
    } catch {
      throw new Error('setting "sqlalchemy_url" is not a URL; write it as postgresql://user:password@host:5432/database');
    }
    fromUrl = {
      host: decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')),
      port: parsed.port ? Number(parsed.port) : 5432,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    };
  }
  const text = (name: 'host' | 'user' | 'password' | 'database', fallback: string) => {
    const value = fromUrl[name] ?? raw[name];
    return value === undefined || value === null || value === '' ? fallback : String(value);
  };
  const config: TapConfig = {
    host: text('host', '127.0.0.1'),
    port: fromUrl.port ?? asInt(raw.port, 'port', 5432, 1),
    user: text('user', 'postgres'),
    password: text('password', ''),
    database: text('database', 'postgres'),
    filter_schemas: asSchemas(raw.filter_schemas),
    ssl_mode: sslMode(raw.ssl_mode, raw.ssl_enable),
    max_parallel_streams: asInt(raw.max_parallel_streams, 'max_parallel_streams', 2, 1),
    state_every_rows: asInt(raw.state_every_rows, 'state_every_rows', 100_000, 1),
  };
  if (config.port > 65535) throw new Error('setting "port" must be between 1 and 65535');
  return config;
}

export async function loadConfig(files: string[]): Promise<TapConfig> {
  const merged: Record<string, unknown> = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new Error(`cannot read the config file ${file}`);
    }
    try {
      Object.assign(merged, JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new Error(`the config file ${file} is not valid JSON`);
    }
  }
  return parseConfig(merged);
}
