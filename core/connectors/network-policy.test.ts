import { describe, expect, it } from 'vitest';
import { formatIp, parseCidr, parseIp } from './ip-address.js';
import { checkAddress, classifyAddress, parseAllowedNetworks } from './network-policy.js';

const ip = (text: string) => {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`not an address: ${text}`);
  return parsed;
};
const kind = (text: string) => classifyAddress(ip(text));

describe('addresses', () => {
  it('reads every way of writing an address as the same 16 bytes', () => {
    for (const same of ['127.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:7f00:1]', '0:0:0:0:0:ffff:7f00:0001']) expect(formatIp(ip(same)), same).toBe('127.0.0.1');
    expect(formatIp(ip('2001:0db8:0000:0000:0000:0000:0000:0001'))).toBe('2001:db8::1');
    expect(formatIp(ip('fe80::1%eth0'))).toBe('fe80::1');
    for (const bad of ['127.1', '1.2.3.256', 'localhost', '::g', '1::2::3', '']) expect(parseIp(bad), bad).toBeUndefined();
  });

  it('classifies every non-public range, IPv4, IPv6 and the IPv6 forms of IPv4', () => {
    const cases: Array<[string, ReturnType<typeof classifyAddress>]> = [
      ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'], ['::127.0.0.1', 'loopback'],
      ['64:ff9b::127.0.0.1', 'loopback'], ['2002:7f00:1::', 'loopback'],
      ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['::ffff:10.0.0.1', 'private'],
      ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['fec0::1', 'private'],
      ['100.64.0.1', 'shared'], ['100.127.255.255', 'shared'], ['::ffff:100.64.0.1', 'shared'],
      ['169.254.169.254', 'link-local'], ['::ffff:169.254.169.254', 'link-local'], ['fe80::1', 'link-local'], ['febf::1', 'link-local'],
      ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'], ['::ffff:0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'], ['255.255.255.255', 'reserved'], ['240.0.0.1', 'reserved'],
      ['8.8.8.8', undefined], ['172.32.0.1', undefined], ['100.128.0.1', undefined], ['2606:4700::1111', undefined], ['::ffff:8.8.8.8', undefined],
    ];
    for (const [address, expected] of cases) expect(kind(address), address).toBe(expected);
  });

  it('matches CIDRs however the address is written', () => {
    const ten = parseCidr('10.0.0.0/8')!;
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('::/129')).toBeUndefined();
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual(ten);
  });
});

describe('SLUICE_ALLOWED_SOURCE_NETWORKS', () => {
  it('reads CIDRs with an optional port', () => {
    const parsed = parseAllowedNetworks('127.0.0.1/32:5433, 10.0.0.0/8,[::1]/128:5433, fd00::/8, 192.168.1.5:6543, [fe80::1], fc00::/7:5432');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.allowances.map((a) => [formatIp(a.cidr.bytes), a.cidr.bits, a.port])).toEqual([
      ['127.0.0.1', 128, 5433], ['10.0.0.0', 104, undefined], ['::1', 128, 5433], ['fd00::', 8, undefined], ['192.168.1.5', 128, 6543], ['fe80::1', 128, undefined], ['fc00::', 7, 5432],
    ]);
    expect(parseAllowedNetworks('')).toEqual({ ok: true, allowances: [] });
  });

  it('names the entry it cannot read', () => {
    for (const bad of ['10.0.0.0/8:99999', 'example.com', '10.0.0.0/40', '10.0.0/8', '[::1]:0', '1.2.3.4/8/8']) expect(parseAllowedNetworks(`127.0.0.1,${bad}`), bad).toEqual({ ok: false, entry: bad });
  });
});

describe('checkAddress', () => {
  const allowed = parseAllowedNetworks('127.0.0.1/32:5433,10.0.0.0/8');
  if (!allowed.ok) throw new Error('allowances');
  const interfaces = [ip('127.0.0.1'), ip('::1'), ip('203.0.113.7')];
  const policy = {
    allowances: allowed.allowances,
    interfaces,
    platform: [
      { name: 'its PostgreSQL database', addresses: 'local' as const, port: 5432 },
      { name: 'its ClickHouse', addresses: [ip('198.51.100.9')], port: 8123 },
    ],
  };
  const verdict = (address: string, port: number | undefined) => checkAddress(policy, ip(address), port);

  it('never lets a connector reach the platform, whatever is allowed', () => {
    // The database listens on loopback: every local address at its port is the database.
    for (const address of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '0.0.0.0', '::', '203.0.113.7']) {
      expect(verdict(address, 5432), address).toMatchObject({ ok: false, reason: expect.stringContaining("Sluice's own services (its PostgreSQL database)") });
    }
    expect(verdict('198.51.100.9', 8123)).toMatchObject({ ok: false, reason: expect.stringContaining('its ClickHouse') });
    expect(verdict('::ffff:198.51.100.9', 8123).ok).toBe(false);
    // No port named: every port counts, so the platform's ports do.
    expect(verdict('198.51.100.9', undefined).ok).toBe(false);
    expect(verdict('198.51.100.9', 9000).ok).toBe(true);
  });

  it('refuses non-public ranges unless allowed, by address and port', () => {
    expect(verdict('127.0.0.1', 5433)).toEqual({ ok: true });
    expect(verdict('127.0.0.1', 5434)).toMatchObject({ ok: false, reason: expect.stringContaining('loopback') });
    expect(verdict('127.0.0.1', undefined).ok).toBe(false);
    expect(verdict('127.0.0.2', 5433).ok).toBe(false);
    expect(verdict('10.9.9.9', 1234)).toEqual({ ok: true });
    expect(verdict('::ffff:10.9.9.9', 1234)).toEqual({ ok: true });
    expect(verdict('192.168.0.10', 5432)).toMatchObject({ ok: false, reason: expect.stringContaining('private network') });
    expect(verdict('169.254.169.254', 80)).toMatchObject({ ok: false, reason: expect.stringContaining('metadata') });
    expect(verdict('fd00::1', 5432).ok).toBe(false);
    expect(verdict('8.8.8.8', 5432)).toEqual({ ok: true });
  });
});
