import { lookup as dnsLookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import type { Env } from '../env.js';
import { endpointsOf } from './endpoints.js';
import { filePathsIn, pathTextProblem, resolveTenantPath } from './file-policy.js';
import { formatIp, parseIp, type IpBytes } from './ip-address.js';
import { valuesOfKind, withValueAt } from './setting-kinds.js';
import { checkAddress, isLocalAddress, parseAllowedNetworks, type Allowance, type PlatformEndpoint } from './network-policy.js';

/**
 * What a tenant's connector may reach, checked before any plugin process starts: the
 * servers its settings name (network-policy.ts) and the files they name (file-policy.ts).
 * The answer carries a "pinned" config, in which every checked host name is replaced by the
 * address that was checked, so a name that resolves differently a moment later (DNS
 * rebinding) changes nothing: the plugin connects to the address we approved.
 */
export type ConnectorPolicy = {
  allowances: Allowance[];
  /** The platform's own services, by host name or address: never reachable. */
  platform: Array<{ name: string; host: string; port: number }>;
  filesDir: string;
  lookup?: (host: string) => Promise<string[]>;
  interfaces?: () => IpBytes[];
};
export type CheckedEndpoint = { host: string; address: string; port: number | undefined; tls: boolean; settings: string[] };
export type AccessResult =
  | { ok: true; config: Record<string, unknown>; endpoints: CheckedEndpoint[] }
  /** `transient`: a name could not be resolved for a passing reason (resolver timeout): worth retrying. */
  | { ok: false; message: string; fields: Record<string, string[]>; transient: boolean };

export type ConnectorPolicyEnv = Pick<Env, 'DATABASE_URL' | 'REDIS_URL' | 'CLICKHOUSE_URL' | 'HOST' | 'PORT' | 'SLUICE_ALLOWED_SOURCE_NETWORKS' | 'SLUICE_FILES_DIR'>;

const urlHostPort = (value: string, defaultPort: number) => {
  const url = new URL(value);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || defaultPort };
};

/** The policy the environment describes (env.ts has already validated the allowances). */
export function connectorPolicyFrom(env: ConnectorPolicyEnv): ConnectorPolicy {
  const parsed = parseAllowedNetworks(env.SLUICE_ALLOWED_SOURCE_NETWORKS);
  return {
    allowances: parsed.ok ? parsed.allowances : [],
    platform: [
      { name: 'its PostgreSQL database', ...urlHostPort(env.DATABASE_URL, 5432) },
      { name: 'its Redis', ...urlHostPort(env.REDIS_URL, 6379) },
      { name: 'its ClickHouse', ...urlHostPort(env.CLICKHOUSE_URL, env.CLICKHOUSE_URL.startsWith('https:') ? 8443 : 8123) },
      { name: 'its API', host: env.HOST, port: env.PORT },
    ],
    filesDir: env.SLUICE_FILES_DIR,
  };
}

/** Every address a name resolves to, as the plugin's own resolver (getaddrinfo, /etc/hosts included) would see them. */
const defaultLookup = async (host: string) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
const defaultInterfaces = () =>
  Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .flatMap((i) => parseIp(i.address) ?? []);

async function addressesOf(policy: ConnectorPolicy, host: string): Promise<IpBytes[]> {
  const literal = parseIp(host);
  if (literal) return [literal];
  const found = await (policy.lookup ?? defaultLookup)(host);
  return found.flatMap((a) => parseIp(a) ?? []);
}

async function platformEndpoints(policy: ConnectorPolicy, interfaces: IpBytes[]): Promise<PlatformEndpoint[]> {
  return Promise.all(
    policy.platform.map(async (service) => {
      // A platform name we cannot resolve still guards every local address at its port.
      const addresses = await addressesOf(policy, service.host).catch(() => []);
      const local = addresses.length === 0 || addresses.some((a) => isLocalAddress(a, interfaces));
      return { name: service.name, port: service.port, addresses: local ? ('local' as const) : addresses };
    }),
  );
}

/** Schema defaults fill unset settings: Meltano would apply them, so they are checked (a target's default URL is the platform's). */
function withDefaults(schema: Record<string, unknown>, config: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  const defaults = Object.fromEntries(Object.entries(properties).flatMap(([name, p]) => (p.default !== undefined && (config[name] === undefined || config[name] === null) ? [[name, p.default]] : [])));
  return { ...config, ...defaults };
}

const messageOf = (fields: Record<string, string[]>) =>
  `Sluice will not let this connector reach what its settings name: ${Object.entries(fields).map(([name, reasons]) => `${name} ${reasons.join('; ')}`).join('. ')}.`;

/**
 * The syntactic part, for create and PATCH: URLs that do not parse, hosts that are not
 * plain names, connection strings, and file paths that leave the tenant's folder as
 * written. Returns messages keyed by setting; empty when fine.
 */
export function connectorSettingProblems(schema: Record<string, unknown>, config: Record<string, unknown>): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const add = (name: string, reason: string) => void (fields[name] ??= []).push(reason);
  for (const { field, value } of filePathsIn(schema, config)) {
    const problem = pathTextProblem(value);
    if (problem) add(field, problem);
  }
  for (const { field, value } of valuesOfKind(schema, config, 'url-path')) {
    const problem = urlPathProblem(value);
    if (problem) add(field, problem);
  }
  for (const { setting, reason } of endpointsOf(config).unreadable) add(setting, reason);
  return fields;
}

/**
 * A path a plugin appends to a URL setting (tap-rest-api joins `api_url` and each stream's
 * `path` as text) must not change the server the URL names: `@127.0.0.1:6379/`, `:5432/` or
 * `.evil.example/` after `https://api.example.com` would. Starting with `/` or `?` it cannot.
 */
function urlPathProblem(value: string): string | undefined {
  if (value === '' || /^[/?]/.test(value)) return undefined;
  return 'must start with / (it is added to the end of the base URL, for example /orders)';
}

/**
 * Checks a connector's config before a plugin process starts and returns the config the
 * plugin must be given (paths made absolute inside the tenant's folder, host names pinned
 * to the checked addresses).
 *
 * @example
 * const access = await checkConnectorAccess(connectorPolicyFrom(env), config, plugin.configSchema, 'acme');
 * if (!access.ok) throw new UnrecoverableError(access.message);
 * spawnTap({ config: access.config });
 */
export async function checkConnectorAccess(policy: ConnectorPolicy, config: Record<string, unknown>, schema: Record<string, unknown>, tenantSlug: string): Promise<AccessResult> {
  const fields = connectorSettingProblems(schema, config);
  const add = (name: string, reason: string) => void (fields[name] ??= []).push(reason);
  let pinned = withDefaults(schema, config);
  for (const { field, value, at } of filePathsIn(schema, pinned)) {
    if (fields[field]) continue;
    const verdict = await resolveTenantPath(policy.filesDir, tenantSlug, value);
    if (verdict.ok) pinned = withValueAt(pinned, at, verdict.path);
    else add(field, verdict.reason);
  }
  const interfaces = (policy.interfaces ?? defaultInterfaces)();
  const platform = await platformEndpoints(policy, interfaces);
  const checked: CheckedEndpoint[] = [];
  let transient = false;
  for (const endpoint of endpointsOf(pinned).endpoints) {
    const field = endpoint.settings[0]!;
    const addresses = await addressesOf(policy, endpoint.host).catch((error: NodeJS.ErrnoException) => {
      transient ||= error.code === 'EAI_AGAIN' || error.code === 'ETIMEOUT';
      return [];
    });
    if (addresses.length === 0) {
      add(field, `names the server ${endpoint.host}, whose name does not resolve; check the host name, or whether this server can reach it`);
      continue;
    }
    const refusals = addresses.flatMap((ip) => {
      const verdict = checkAddress({ allowances: policy.allowances, platform, interfaces }, ip, endpoint.port);
      return verdict.ok ? [] : [verdict.reason];
    });
    if (refusals.length > 0) {
      add(field, `points to ${endpoint.host === formatIp(addresses[0]!) ? 'an address' : `${endpoint.host}, which resolves to an address`} Sluice does not allow: ${[...new Set(refusals)].join('; ')}`);
      continue;
    }
    const address = formatIp(addresses[0]!);
    checked.push({ host: endpoint.host, address, port: endpoint.port, tls: endpoint.tls, settings: endpoint.settings });
    // With certificate verification on (https, sslmode=verify-full) the name stays: the
    // client checks the certificate against it, so a name re-pointed at one of our
    // services after this check fails the handshake instead of reaching it.
    if (!endpoint.tls) pinned = endpoint.pin(pinned, address);
  }
  // Transient only when an unresolved name is all that is wrong.
  const onlyUnresolved = Object.values(fields).flat().every((reason) => reason.includes('does not resolve'));
  if (Object.keys(fields).length > 0) return { ok: false, message: messageOf(fields), fields, transient: transient && onlyUnresolved };
  return { ok: true, config: pinned, endpoints: checked };
}
