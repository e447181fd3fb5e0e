import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The Meltano project is the repository root: meltano.yml, .venv/ (meltano itself), .meltano/ (plugin venvs). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const meltanoFile = path.join(projectRoot, 'meltano.yml');
export const meltanoBin = path.join(projectRoot, '.venv', 'bin', 'meltano');
export const meltanoEnvironment = 'sluice';

/** Meltano's system database (runs, state) lives in our Postgres, in its own schema. */
export function meltanoDatabaseUri(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.protocol = 'postgresql+psycopg:';
  url.searchParams.set('options', '-csearch_path=meltano');
  return url.toString();
}

/**
 * The machine's network settings (CA bundles for a TLS-inspecting proxy, proxies, package
 * index mirrors) that Meltano, uv and the taps need to reach anything. They are the
 * machine's, not Sluice's configuration, and hold no secrets of ours, so they pass through.
 */
const MACHINE_VARIABLES = [
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'PIP_CERT',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'UV_DEFAULT_INDEX', 'UV_INDEX_URL', 'UV_NATIVE_TLS', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'TZ',
];

function machineEnv(): Record<string, string> {
  return Object.fromEntries(MACHINE_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
}

/**
 * The whole environment of a Meltano child process: built from scratch, never a copy of
 * our own process.env (which holds the master key). `extra` carries the plugin settings
 * of the one run that needs them.
 */
export function meltanoEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...machineEnv(),
    // Our own node first: target-clickhouse is a Node program Meltano starts.
    PATH: `${path.dirname(process.execPath)}:${path.join(projectRoot, '.venv', 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    MELTANO_PROJECT_ROOT: projectRoot,
    MELTANO_ENVIRONMENT: meltanoEnvironment,
    MELTANO_DATABASE_URI: meltanoDatabaseUri(databaseUrl),
    MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
    MELTANO_SNOWPLOW_COLLECTOR_ENDPOINTS: '[]',
    MELTANO_CLI_DISABLE_VERSION_CHECK: '1',
    UV_PYTHON_DOWNLOADS: 'never',
    PYTHONUNBUFFERED: '1',
    ...extra,
  };
}
