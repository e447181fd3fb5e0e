import { isIP } from 'node:net';

/**
 * IP addresses as 16 bytes (IPv4 as its IPv4-mapped IPv6 form, ::ffff:a.b.c.d), so one
 * comparison covers an address however it is written: `127.0.0.1`, `::ffff:127.0.0.1`,
 * `::ffff:7f00:1` and `[::ffff:7f00:1]` are the same host.
 */
export type IpBytes = Uint8Array;
export type Cidr = { bytes: IpBytes; bits: number };

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function v4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

function v6Bytes(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = head.lastIndexOf(':');
  if (head.slice(lastColon + 1).includes('.')) {
    const v4 = v4Bytes(head.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Parses an IPv4 or IPv6 literal (brackets and a zone id allowed); undefined when it is not one. */
export function parseIp(text: string): IpBytes | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIP(bare) === 4) return Uint8Array.from([...MAPPED_PREFIX, ...v4Bytes(bare)!]);
  if (isIP(bare) === 6) {
    const bytes = v6Bytes(bare);
    return bytes ? Uint8Array.from(bytes) : undefined;
  }
  return undefined;
}

export const isV4 = (ip: IpBytes) => MAPPED_PREFIX.every((b, i) => ip[i] === b);

/** The address as people write it: dotted for IPv4 (and IPv4-mapped), compressed groups for IPv6. */
export function formatIp(ip: IpBytes): string {
  if (isV4(ip)) return Array.from(ip.slice(12)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip[2 * i]! << 8) | ip[2 * i + 1]!).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** `10.0.0.0/8`, `fc00::/7`, or a bare address (the whole address: /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const [address, bitsText, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  // A prefix length counts from the start of the address as written: /8 of 10.0.0.0 is /104 of ::ffff:10.0.0.0.
  const dotted = !address.includes(':');
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = bitsText === undefined ? 128 : Number(bitsText) + (dotted ? 96 : 0);
  if (bits > 128 || (dotted && Number(bitsText ?? 32) > 32)) return undefined;
  return { bytes, bits };
}

export function inCidr(ip: IpBytes, cidr: Cidr): boolean {
  for (let bit = 0; bit < cidr.bits; bit += 8) {
    const take = Math.min(8, cidr.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((ip[bit / 8]! & mask) !== (cidr.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

/**
 * The IPv4 address an IPv6 address carries and that a connection to it reaches: IPv4-
 * compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::) forms.
 * IPv4-mapped addresses are already IPv4 here.
 */
export function embeddedV4(ip: IpBytes): IpBytes | undefined {
  const v4 = (b: ArrayLike<number>) => Uint8Array.from([...MAPPED_PREFIX, ...Array.from(b)]);
  if (ip.slice(0, 12).every((b) => b === 0) && !ip.slice(12).every((b, i) => b === 0 || (i === 3 && b === 1))) return v4(ip.slice(12));
  if (inCidr(ip, parseCidr('64:ff9b::/96')!) || inCidr(ip, parseCidr('64:ff9b:1::/48')!)) return v4(ip.slice(12));
  if (ip[0] === 0x20 && ip[1] === 0x02) return v4(ip.slice(2, 6));
  return undefined;
}
