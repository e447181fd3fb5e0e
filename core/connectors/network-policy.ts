import { embeddedV4, formatIp, inCidr, parseCidr, parseIp, type Cidr, type IpBytes } from './ip-address.js';

/**
 * Which addresses a tenant's connector may connect to. The platform's own services are
 * never reachable; loopback, link-local, private and other non-public ranges only where
 * the operator allows them (SLUICE_ALLOWED_SOURCE_NETWORKS); everything else is.
 */
export type AddressKind = 'loopback' | 'private' | 'link-local' | 'shared' | 'unspecified' | 'reserved' | 'multicast';
export type Allowance = { cidr: Cidr; port: number | undefined; text: string };
/** A platform service: its addresses, or `local` (any address of this machine) when it runs on this machine. */
export type PlatformEndpoint = { name: string; addresses: IpBytes[] | 'local'; port: number };

const RANGES: Array<[string, AddressKind]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['169.254.0.0/16', 'link-local'],
  ['192.0.0.0/24', 'reserved'],
  ['198.18.0.0/15', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'private'],
  ['fec0::/10', 'private'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
  ['100::/64', 'reserved'],
];
const PARSED_RANGES = RANGES.map(([cidr, kind]) => ({ cidr: parseCidr(cidr)!, kind }));

const DESCRIBED: Record<AddressKind, string> = {
  loopback: "this server's own (loopback) address",
  private: 'a private network address',
  'link-local': 'a link-local address (such as the cloud metadata service)',
  shared: 'a shared (carrier-grade NAT) address',
  unspecified: 'an unspecified address (it means this server)',
  reserved: 'a reserved address',
  multicast: 'a multicast address',
};
export const describeKind = (kind: AddressKind) => DESCRIBED[kind];

/** The non-public range an address falls in (also through an IPv4 address it embeds), or undefined when public. */
export function classifyAddress(ip: IpBytes): AddressKind | undefined {
  const found = PARSED_RANGES.find((r) => inCidr(ip, r.cidr))?.kind;
  if (found) return found;
  const v4 = embeddedV4(ip);
  return v4 ? PARSED_RANGES.find((r) => inCidr(v4, r.cidr))?.kind : undefined;
}

/** `[v6]/n:port`, `v4/n:port`, `v6/n:port`, `v4:port`, or any of them without the port or prefix length. */
function splitEntry(entry: string): { address: string; bits?: string | undefined; portText?: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?:\/(\d{1,3}))?(?::(\d{1,5}))?$/.exec(entry);
  if (bracketed) return { address: bracketed[1]!, bits: bracketed[2], portText: bracketed[3] };
  const withBits = /^([^/[\]]+)\/(\d{1,3})(?::(\d{1,5}))?$/.exec(entry);
  if (withBits) return { address: withBits[1]!, bits: withBits[2], portText: withBits[3] };
  const v4 = /^([\d.]+)(?::(\d{1,5}))?$/.exec(entry);
  if (v4) return { address: v4[1]!, portText: v4[2] };
  return { address: entry };
}

/**
 * Parses SLUICE_ALLOWED_SOURCE_NETWORKS: comma-separated CIDRs, each optionally limited to
 * one port. Returns the allowances, or the first entry that is not one.
 *
 * @example
 * parseAllowedNetworks('127.0.0.1/32:5433, 10.0.0.0/8, [fd00::]/8:5432')
 */
export function parseAllowedNetworks(text: string): { ok: true; allowances: Allowance[] } | { ok: false; entry: string } {
  const allowances: Allowance[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const { address, bits, portText } = splitEntry(entry);
    const cidr = parseCidr(bits === undefined ? address : `${address}/${bits}`);
    const port = portText === undefined ? undefined : Number(portText);
    if (!cidr || (port !== undefined && (port < 1 || port > 65535))) return { ok: false, entry };
    allowances.push({ cidr, port, text: entry });
  }
  return { ok: true, allowances };
}

const allows = (allowance: Allowance, ip: IpBytes, port: number | undefined) =>
  inCidr(ip, allowance.cidr) && (allowance.port === undefined || allowance.port === port);

/** Addresses that reach this machine: loopback, unspecified (a bind on every interface), and the machine's own interface addresses. */
export function isLocalAddress(ip: IpBytes, interfaces: IpBytes[]): boolean {
  const kinds = [classifyAddress(ip)];
  const v4 = embeddedV4(ip);
  const same = (a: IpBytes) => interfaces.some((i) => i.every((b, n) => b === a[n]));
  return kinds.includes('loopback') || kinds.includes('unspecified') || same(ip) || (v4 !== undefined && same(v4));
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a connector may connect to `ip` on `port` (undefined: the settings name no port,
 * so every port counts). The platform's endpoints win over any allowance.
 */
export function checkAddress(
  policy: { allowances: Allowance[]; platform: PlatformEndpoint[]; interfaces: IpBytes[] },
  ip: IpBytes,
  port: number | undefined,
): AddressVerdict {
  const shown = formatIp(ip);
  for (const service of policy.platform) {
    if (port !== undefined && port !== service.port) continue;
    const hit =
      service.addresses === 'local'
        ? isLocalAddress(ip, policy.interfaces)
        : service.addresses.some((a) => a.every((b, n) => b === ip[n]) || (embeddedV4(ip)?.every((b, n) => b === a[n]) ?? false));
    if (hit) return { ok: false, reason: `${shown}:${service.port} is one of Sluice's own services (${service.name}); connectors can never reach it` };
  }
  const kind = classifyAddress(ip);
  if (kind && !policy.allowances.some((a) => allows(a, ip, port))) {
    return { ok: false, reason: `${shown} is ${describeKind(kind)}, which connectors may not reach unless the operator allows it (SLUICE_ALLOWED_SOURCE_NETWORKS)` };
  }
  return { ok: true };
}

export { parseIp };
