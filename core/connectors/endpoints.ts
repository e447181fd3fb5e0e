import { withValueAt } from './setting-kinds.js';

/**
 * The servers a connector's settings name, read from its config: a host/port pair, or any
 * setting whose value is a URL (url, api_url, SQLAlchemy URLs such as
 * `postgresql+psycopg://u:p@h:5432/db`). Where a setting names a server we cannot read
 * (a URL that does not parse, a URL without a host, a libpq-style `host=… port=…` string),
 * the setting is returned as unreadable: the policy refuses it rather than guess.
 */
export type Endpoint = {
  host: string;
  /** undefined when the settings name none and the scheme has no usual one: then any port. */
  port: number | undefined;
  /** The client verifies the server's certificate against `host` (https, sslmode=verify-full). */
  tls: boolean;
  settings: string[];
  /** The config with this endpoint's host replaced by `address` (the one that was checked). */
  pin: (config: Record<string, unknown>, address: string) => Record<string, unknown>;
};
export type Unreadable = { setting: string; reason: string };

const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80, 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432, 'mysql:': 3306, 'mariadb:': 3306, 'redis:': 6379, 'rediss:': 6379,
  'clickhouse:': 8123, 'mongodb:': 27017, 'mssql:': 1433, 'oracle:': 1521, 'snowflake:': 443, 'ftp:': 21, 'sftp:': 22, 'ssh:': 22,
};
/** Settings whose value is a bare host name, with the port in `port`. */
const HOST_SETTINGS = ['host', 'hostname', 'server'];
/** URL query keys that point a client at another server, or at a file on this one (libpq, PyMySQL). */
const FORBIDDEN_QUERY_KEYS = [
  'host', 'hostaddr', 'port', 'service', 'servicefile', 'passfile', 'unix_socket', 'sslcert', 'sslkey', 'sslrootcert', 'sslcrl', 'sslcrldir', 'read_default_file',
  // PyMySQL: local_infile lets the server ask for any file on this machine; the others read files here.
  'local_infile', 'read_default_group', 'ssl_ca', 'ssl_capath', 'ssl_cert', 'ssl_key',
];
const looksLikeUrl = (value: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim());
/** `host=db port=5432`, `Server=db;Database=x`: a connection string whose server we will not guess at. */
const looksLikeConnectionString = (value: string) => /(^|[\s;])(host|hostaddr|server|data source|address|addr|service)\s*=/i.test(value);
const bracketed = (address: string) => (address.includes(':') ? `[${address}]` : address);

/** The hosts Sluice accepts in a host setting: a DNS name or an IP literal, nothing libpq would read otherwise (a socket path, a list). */
export const isPlainHost = (host: string) => /^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/.test(host) || /^\[?[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?\]?$/.test(host);

function urlEndpoint(setting: string, value: string): Endpoint | Unreadable {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { setting, reason: 'is not a URL Sluice can read, so it cannot tell which server it names' };
  }
  const protocol = url.protocol.replace(/\+[a-z0-9]+:$/i, ':').toLowerCase();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return { setting, reason: 'names no server (a local socket or file is not allowed); put the server name in the URL' };
  if (!isPlainHost(host)) return { setting, reason: 'names a server Sluice cannot read' };
  const keys = [...url.searchParams.keys()].map((k) => k.toLowerCase());
  const forbidden = keys.find((k) => FORBIDDEN_QUERY_KEYS.includes(k));
  if (forbidden) return { setting, reason: `sets "${forbidden}" in its query, which Sluice does not allow; put the server in the URL itself` };
  const verifyFull = url.searchParams.get('sslmode') === 'verify-full';
  return {
    host,
    port: Number(url.port) || DEFAULT_PORTS[protocol],
    tls: protocol === 'https:' || verifyFull,
    settings: [setting],
    pin: (config, address) => {
      const pinned = new URL(value.trim());
      pinned.hostname = bracketed(address);
      return { ...config, [setting]: pinned.toString() };
    },
  };
}

/** Endpoints in a config; `unreadable` lists settings that name a server Sluice cannot determine. */
export function endpointsOf(config: Record<string, unknown>): { endpoints: Endpoint[]; unreadable: Unreadable[] } {
  const endpoints: Endpoint[] = [];
  const unreadable: Unreadable[] = [];
  /**
   * A host key of an object: the config itself, or an object nested in it (an SSH tunnel's
   * `ssh_tunnel: { host, port }`), which the plugin connects to just the same.
   */
  const hostIn = (object: Record<string, unknown>, key: string, at: Array<string | number>) => {
    const value = object[key];
    if (typeof value !== 'string' || value === '') return;
    const setting = [...at, key].join('.');
    if (!isPlainHost(value)) {
      unreadable.push({ setting, reason: 'must be a server name or IP address (no spaces, lists, paths or ports)' });
      return;
    }
    const port = Number(object.port);
    endpoints.push({
      host: value.replace(/^\[|\]$/g, ''),
      port: Number.isInteger(port) && port > 0 ? port : undefined,
      tls: false,
      settings: 'port' in object ? [setting, [...at, 'port'].join('.')] : [setting],
      pin: (c, address) => withValueAt(c, [...at, key], address),
    });
  };
  const nestedHosts = (value: unknown, at: Array<string | number>) => {
    if (Array.isArray(value)) value.forEach((item, i) => nestedHosts(item, [...at, i]));
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        if (HOST_SETTINGS.includes(key)) hostIn(object, key, at);
        else nestedHosts(object[key], [...at, key]);
      }
    }
  };
  /**
   * A dotted setting (`ssh_tunnel.host`, as Sluice stores nested settings; the plugin gets
   * `{ ssh_tunnel: { host } }`), with its port in the sibling `ssh_tunnel.port`.
   */
  const dottedHost = (setting: string, prefix: string) => {
    const value = config[setting];
    if (typeof value !== 'string' || value === '') return;
    if (!isPlainHost(value)) {
      unreadable.push({ setting, reason: 'must be a server name or IP address (no spaces, lists, paths or ports)' });
      return;
    }
    const portSetting = `${prefix}.port`;
    const port = Number(config[portSetting]);
    endpoints.push({
      host: value.replace(/^\[|\]$/g, ''),
      port: Number.isInteger(port) && port > 0 ? port : undefined,
      tls: false,
      settings: portSetting in config ? [setting, portSetting] : [setting],
      pin: (c, address) => ({ ...c, [setting]: address }),
    });
  };
  for (const [setting, value] of Object.entries(config)) {
    if (HOST_SETTINGS.includes(setting)) {
      hostIn(config, setting, []);
      continue;
    }
    const dot = setting.lastIndexOf('.');
    if (dot > 0 && HOST_SETTINGS.includes(setting.slice(dot + 1))) {
      dottedHost(setting, setting.slice(0, dot));
      continue;
    }
    nestedHosts(value, [setting]);
    for (const text of stringsIn(value)) {
      if (looksLikeUrl(text)) {
        const found = urlEndpoint(setting, text);
        if ('reason' in found) unreadable.push(found);
        // A URL nested in a list or object cannot be pinned in place: refuse it.
        else if (text === value) endpoints.push(found);
        else unreadable.push({ setting, reason: 'holds a server address inside a list or object; give it in a setting of its own' });
      } else if (looksLikeConnectionString(text)) {
        unreadable.push({ setting, reason: 'looks like a connection string; Sluice cannot tell which server it names, so give the server as a URL or host setting' });
      }
    }
  }
  return { endpoints, unreadable };
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
