import { describe, expect, it } from 'vitest';
import { endpointsOf, isPlainHost, type Endpoint } from './endpoints.js';

const only = (config: Record<string, unknown>): Endpoint => {
  const { endpoints, unreadable } = endpointsOf(config);
  expect(unreadable).toEqual([]);
  expect(endpoints).toHaveLength(1);
  return endpoints[0]!;
};

describe('endpointsOf: host settings', () => {
  it('pairs a host setting with the port setting, when the port is a positive whole number', () => {
    expect(only({ host: 'db.example.com', port: 6543 })).toMatchObject({ host: 'db.example.com', port: 6543, tls: false, settings: ['host', 'port'] });
    // a port given as text counts too (forms send text)
    expect(only({ hostname: 'db', port: '5433' })).toMatchObject({ port: 5433, settings: ['hostname', 'port'] });
    // no usable port: any port (the policy then checks the setting's default)
    for (const port of [0, -1, 54.5, 'abc', null]) expect(only({ server: 'db', port }).port, String(port)).toBeUndefined();
    expect(only({ host: 'db' })).toMatchObject({ port: undefined, settings: ['host'] });
  });

  it('takes IP literals, bracketed or not, and ignores empty and non-text hosts', () => {
    expect(only({ host: '[::1]' }).host).toBe('::1');
    expect(only({ host: '10.0.0.7' }).host).toBe('10.0.0.7');
    expect(endpointsOf({ host: '', port: 5432 })).toEqual({ endpoints: [], unreadable: [] });
    expect(endpointsOf({ host: 42 })).toEqual({ endpoints: [], unreadable: [] });
  });

  it('refuses a host that is a path, a list, carries a port or spaces', () => {
    for (const host of ['/tmp', 'a,b', 'db.example.com:5432', 'db example', 'db\n', '-db']) {
      expect(endpointsOf({ host }).unreadable, host).toEqual([{ setting: 'host', reason: expect.stringMatching(/server name or IP address/) }]);
    }
  });

  it('pins the checked address into the host setting and leaves the rest of the config alone', () => {
    const config = { host: 'db.example.com', port: 5432, database: 'shop' };
    expect(only(config).pin(config, '203.0.113.9')).toEqual({ host: '203.0.113.9', port: 5432, database: 'shop' });
    expect(config.host).toBe('db.example.com');
  });
});

describe('endpointsOf: hosts nested in objects', () => {
  it('finds a host inside an object setting (an SSH tunnel), with its sibling port, and pins it in place', () => {
    const config = { host: 'db.example.com', port: 3306, ssh_tunnel: { enable: true, host: 'bastion.example.com', port: 22, username: 'u' } };
    const { endpoints, unreadable } = endpointsOf(config);
    expect(unreadable).toEqual([]);
    expect(endpoints.map((e) => [e.host, e.port, e.settings])).toEqual([
      ['db.example.com', 3306, ['host', 'port']],
      ['bastion.example.com', 22, ['ssh_tunnel.host', 'ssh_tunnel.port']],
    ]);
    expect(endpoints[1]!.pin(config, '203.0.113.9')).toEqual({ ...config, ssh_tunnel: { ...config.ssh_tunnel, host: '203.0.113.9' } });
    expect(config.ssh_tunnel.host).toBe('bastion.example.com');
  });

  it('finds hosts in lists of objects, and refuses one that is not a plain name', () => {
    expect(endpointsOf({ servers: [{ name: 'a' }, { host: '10.0.0.1', port: 1 }] }).endpoints.map((e) => e.settings)).toEqual([['servers.1.host', 'servers.1.port']]);
    expect(endpointsOf({ ssh_tunnel: { host: 'bastion /tmp' } }).unreadable).toEqual([{ setting: 'ssh_tunnel.host', reason: expect.stringMatching(/server name or IP address/) }]);
  });
});

describe('endpointsOf: URL settings', () => {
  it("uses the scheme's usual port when the URL gives none, and none for a scheme without one", () => {
    expect(only({ url: 'http://ch.example.com' }).port).toBe(80);
    expect(only({ url: 'https://ch.example.com/path?x=1' })).toMatchObject({ port: 443, tls: true });
    expect(only({ url: 'POSTGRESQL+psycopg2://u:p@db/x' }).port).toBe(5432);
    expect(only({ url: 'mysql+pymysql://u@db/x' }).port).toBe(3306);
    expect(only({ url: 'gopher://db.example.com' }).port).toBeUndefined();
  });

  it('counts TLS only where the client checks the certificate against the host', () => {
    expect(only({ url: 'postgresql://u@db/x?sslmode=verify-full' }).tls).toBe(true);
    expect(only({ url: 'postgresql://u@db/x?sslmode=require' }).tls).toBe(false);
    expect(only({ url: 'http://db' }).tls).toBe(false);
  });

  it('reads any setting whose value is a URL, trimmed, and ignores other text', () => {
    expect(only({ api_url: '  https://api.example.com  ', database: 'x', token: 'abc' })).toMatchObject({ host: 'api.example.com', settings: ['api_url'] });
    expect(endpointsOf({ start_date: '2024-01-01T00:00:00Z', note: 'see http docs', count: 3 })).toEqual({ endpoints: [], unreadable: [] });
  });

  it('pins the checked address into the URL, bracketing IPv6, keeping credentials, port and path', () => {
    const config = { sqlalchemy_url: 'postgresql+psycopg://u:p%40ss@db.example.com:5433/shop?sslmode=require', other: 1 };
    const endpoint = only(config);
    expect(endpoint.pin(config, '203.0.113.9')).toEqual({ sqlalchemy_url: 'postgresql+psycopg://u:p%40ss@203.0.113.9:5433/shop?sslmode=require', other: 1 });
    expect(endpoint.pin(config, '2001:db8::1').sqlalchemy_url).toBe('postgresql+psycopg://u:p%40ss@[2001:db8::1]:5433/shop?sslmode=require');
  });

  it('refuses URLs without a host, with a redirecting query key, or inside lists and objects', () => {
    const reasons = (config: Record<string, unknown>) => endpointsOf(config).unreadable.map((u) => u.reason);
    expect(reasons({ url: 'file:///etc/passwd' })).toEqual([expect.stringMatching(/names no server/)]);
    expect(reasons({ url: 'postgresql://u@db/x?HostAddr=10.0.0.1' })).toEqual([expect.stringMatching(/sets "hostaddr" in its query/)]);
    expect(reasons({ url: 'mysql://u@db/x?read_default_file=/etc/my.cnf' })).toEqual([expect.stringMatching(/sets "read_default_file"/)]);
    expect(reasons({ url: 'mysql+pymysql://u@db/x?local_infile=1' })).toEqual([expect.stringMatching(/sets "local_infile"/)]);
    expect(reasons({ url: 'mysql+pymysql://u@db/x?ssl_key=/work/.data/master.key' })).toEqual([expect.stringMatching(/sets "ssl_key"/)]);
    expect(reasons({ urls: { primary: 'https://a.example.com' } })).toEqual([expect.stringMatching(/inside a list or object/)]);
    expect(reasons({ dsn: 'Data Source=db;Initial Catalog=x' })).toEqual([expect.stringMatching(/connection string/)]);
  });
});

describe('isPlainHost', () => {
  it('accepts DNS names and IP literals only', () => {
    for (const host of ['db', 'db.example.com', 'my_host-1', '10.0.0.1', '::1', '[::1]', 'fe80::1%eth0']) expect(isPlainHost(host), host).toBe(true);
    for (const host of ['', ' db', 'db/x', 'a,b', 'db:5432x', '-db', 'x'.repeat(254)]) expect(isPlainHost(host), host).toBe(false);
  });

  it('finds a host in a dotted setting (ssh_tunnel.host, as nested settings are stored), with its sibling port, and pins it', () => {
    const { endpoints, unreadable } = endpointsOf({ host: 'db.example.com', 'ssh_tunnel.host': '10.0.0.5', 'ssh_tunnel.port': 2222, 'ssh_tunnel.enable': true });
    expect(unreadable).toEqual([]);
    const tunnel = endpoints.find((e) => e.settings.includes('ssh_tunnel.host'))!;
    expect(tunnel).toMatchObject({ host: '10.0.0.5', port: 2222, settings: ['ssh_tunnel.host', 'ssh_tunnel.port'] });
    expect(tunnel.pin({ 'ssh_tunnel.host': 'bastion' }, '203.0.113.9')).toEqual({ 'ssh_tunnel.host': '203.0.113.9' });
    expect(endpointsOf({ 'ssh_tunnel.host': 'a b' }).unreadable).toEqual([{ setting: 'ssh_tunnel.host', reason: expect.stringMatching(/server name/) }]);
  });
});
