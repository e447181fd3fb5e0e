import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The Meltano project is the repository root: meltano.yml, .venv/ (meltano itself), .meltano/ (plugin venvs). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const meltanoFile = path.join(projectRoot, 'meltano.yml');
export const meltanoBin = path.join(projectRoot, '.venv', 'bin', 'meltano');
/** Where plugin venvs live, in Meltano's layout: `<pluginsDir>/<kind>s/<name>/venv`. */
export const pluginsDir = path.join(projectRoot, '.meltano');
/** The uv that Meltano ships with (a PyPI wheel in .venv), and the Python plugin venvs are made from (Meltano's own). */
export const uvBin = path.join(projectRoot, '.venv', 'bin', 'uv');
export const venvPython = path.join(projectRoot, '.venv', 'bin', 'python3');
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
 * The whole environment of a plugin process (a tap or a target Sluice starts itself): built
 * from scratch, with no MELTANO_* variable, no database URL, no other plugin's settings and
 * never the master key. Its settings reach it in its own config.json; `folder` is its
 * private folder, also its HOME and TMPDIR.
 */
export function pluginEnv(folder: string): Record<string, string> {
  return {
    ...machineEnv(),
    // Our own node first: target-clickhouse is a Node program.
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: folder,
    TMPDIR: folder,
    LANG: 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

type PluginPlace = { name: string; kind: 'extractor' | 'loader'; executable: string; pipUrl?: string | null | undefined };

/** A plugin's venv folder, as Meltano lays it out: `<root>/<kind>s/<name>/venv`. */
export function pluginVenv(plugin: Pick<PluginPlace, 'name' | 'kind'>, root = pluginsDir): string {
  if (!/^[a-z][a-z0-9-]*$/.test(plugin.name)) throw new Error(`plugin ${plugin.name} has an unsafe name`);
  return path.join(root, `${plugin.kind}s`, plugin.name, 'venv');
}

/**
 * Where a plugin's executable is: the venv it is installed in (meltano/plugin-install.ts:
 * `.meltano/<kind>s/<name>/venv/bin/<executable>`), or, for a plugin without a pip_url
 * (our target-clickhouse), its executable path relative to the project root.
 */
export function pluginExecutable(plugin: PluginPlace, root = pluginsDir): string {
  if (!plugin.pipUrl && plugin.executable.includes('/')) return path.resolve(projectRoot, plugin.executable);
  if (!/^[A-Za-z0-9_.-]+$/.test(plugin.executable)) throw new Error(`plugin ${plugin.name} has an unsafe executable name`);
  return path.join(pluginVenv(plugin, root), 'bin', plugin.executable);
}

/**
 * The whole environment of uv installing a plugin: the machine's network settings (a proxy, a
 * package index mirror), no Python downloads (the venv uses Meltano's own Python), and
 * nothing of ours.
 */
export function installEnv(): Record<string, string> {
  return {
    ...machineEnv(),
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    // uv's download cache: where the machine keeps it, if it says (shared by every install here).
    ...Object.fromEntries(['UV_CACHE_DIR', 'XDG_CACHE_HOME'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : []))),
    LANG: 'C.UTF-8',
    UV_PYTHON_DOWNLOADS: 'never',
    UV_NO_PROGRESS: '1',
    NO_COLOR: '1',
  };
}

/**
 * The whole environment of a Meltano child process (plugins never run through Meltano, nor
 * are they installed by it: meltano/plugin-install.ts): built from scratch, never a copy of
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
