import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnectorAccess, connectorSettingProblems, type ConnectorPolicy } from './access-policy.js';
import { endpointsOf } from './endpoints.js';
import { parseIp } from './ip-address.js';
import { parseAllowedNetworks } from './network-policy.js';

const postgresSchema = { properties: { host: {}, port: { type: 'integer', default: 5432 }, user: {}, password: { 'x-secret': true }, database: {}, sqlalchemy_url: { 'x-secret': true } } };
const clickhouseSchema = { properties: { url: { default: 'http://127.0.0.1:8123' }, database: { default: 'sluice' } } };
const jsonlSchema = { properties: { path: { 'x-kind': 'file' }, stream_name: {} } };
/** tap-csv's and tap-rest-api's shapes: a path and a URL path nested in list settings (meltano.yml json_schema). */
const csvSchema = { properties: { files: { type: 'array', items: { type: 'object', properties: { path: { type: 'string', 'x-kind': 'file' }, format: { type: 'string' } } } } } };
const restSchema = {
  properties: {
    api_url: {},
    path: { type: 'string', 'x-kind': 'url-path' },
    streams: { type: 'array', items: { type: 'object', properties: { name: {}, path: { type: 'string', 'x-kind': 'url-path' }, schema: { type: ['object', 'string'], 'x-kind': 'file' } } } },
  },
};

const names: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'db.example.com': ['93.184.216.34'],
  'split.example.com': ['93.184.216.35', '127.0.0.1'],
  'inside.example.com': ['10.1.2.3'],
};
let filesDir: string;
const policy = (allowed = ''): ConnectorPolicy => {
  const parsed = parseAllowedNetworks(allowed);
  if (!parsed.ok) throw new Error(parsed.entry);
  return {
    allowances: parsed.allowances,
    platform: [
      { name: 'its PostgreSQL database', host: '127.0.0.1', port: 5432 },
      { name: 'its Redis', host: 'localhost', port: 6379 },
      { name: 'its ClickHouse', host: '127.0.0.1', port: 8123 },
      { name: 'its API', host: '0.0.0.0', port: 8080 },
    ],
    filesDir,
    lookup: async (host) => {
      const found = names[host];
      if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return found;
    },
    interfaces: () => [parseIp('127.0.0.1')!, parseIp('::1')!],
  };
};

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(tmpdir(), 'sluice-files-'));
  await mkdir(path.join(filesDir, 'acme', 'orders'), { recursive: true });
  await writeFile(path.join(filesDir, 'acme', 'orders', '2024.jsonl'), '{}\n');
  await writeFile(path.join(filesDir, 'secret.txt'), 'not yours\n');
  await mkdir(path.join(filesDir, 'other'), { recursive: true });
  await writeFile(path.join(filesDir, 'other', 'theirs.jsonl'), '{}\n');
  await symlink(path.join(filesDir, 'other'), path.join(filesDir, 'acme', 'orders', 'peek'));
  await symlink('/etc/passwd', path.join(filesDir, 'acme', 'passwd.jsonl'));
  await symlink(path.join(filesDir, 'acme', 'orders'), path.join(filesDir, 'acme', 'alias'));
});
afterAll(() => rm(filesDir, { recursive: true, force: true }));

describe('endpointsOf', () => {
  it('finds hosts, URLs (SQLAlchemy too) and their ports', () => {
    const { endpoints, unreadable } = endpointsOf({ host: 'db.example.com', port: 6543, url: 'https://ch.example.com', sqlalchemy_url: 'postgresql+psycopg://u:p%40ss@[::1]:5433/db?sslmode=require', api_url: 'redis://cache:6380/0' });
    expect(unreadable).toEqual([]);
    expect(endpoints.map((e) => [e.host, e.port, e.tls, e.settings])).toEqual([
      ['db.example.com', 6543, false, ['host', 'port']],
      ['ch.example.com', 443, true, ['url']],
      ['::1', 5433, false, ['sqlalchemy_url']],
      ['cache', 6380, false, ['api_url']],
    ]);
  });

  it('refuses what it cannot read rather than guess', () => {
    const cases: Record<string, unknown> = {
      host: '/var/run/postgresql',
      server: 'a,b',
      url: 'http://[::1',
      sqlalchemy_url: 'postgresql:///sluice',
      api_url: 'postgresql://u@h1:5432,h2:5433/db',
      dsn: 'host=127.0.0.1 port=5432 dbname=sluice',
      conn: 'Server=10.0.0.1;Database=x',
      nested: ['http://127.0.0.1:8123'],
      query_host: 'postgresql://u@db.example.com/x?host=/tmp',
      query_file: 'postgresql://u@db.example.com/x?sslkey=/work/.data/master.key',
    };
    const unreadable = endpointsOf(cases).unreadable.map((u) => u.setting);
    expect(unreadable.sort()).toEqual(Object.keys(cases).sort());
  });
});

describe('checkConnectorAccess: network', () => {
  const check = (config: Record<string, unknown>, allowed = '', schema: Record<string, unknown> = postgresSchema) => checkConnectorAccess(policy(allowed), config, schema, 'acme');

  it('refuses the platform database by any loopback name or form, naming the field', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1', '127.0.0.2', '0.0.0.0', 'split.example.com']) {
      const result = await check({ host, port: 5432, database: 'sluice' }, '127.0.0.0/8');
      expect(result, host).toMatchObject({ ok: false, fields: { host: [expect.stringContaining("Sluice's own services")] } });
    }
    // The port setting's default counts when the config leaves it out.
    expect(await check({ host: 'localhost', database: 'sluice' }, '127.0.0.0/8')).toMatchObject({ ok: false, fields: { host: [expect.stringContaining('its PostgreSQL database')] } });
  });

  it('refuses the platform through an SSH tunnel setting (ssh_tunnel.host), as tap-postgres offers one', async () => {
    const result = await check({ host: 'db.example.com', database: 'x', 'ssh_tunnel.enable': true, 'ssh_tunnel.host': '127.0.0.1', 'ssh_tunnel.port': 6379 }, '127.0.0.0/8');
    expect(result).toMatchObject({ ok: false, fields: { 'ssh_tunnel.host': [expect.stringContaining('its Redis')] } });
  });

  it('refuses the platform through URL settings, and never repeats the password', async () => {
    const viaUrl = await check({ sqlalchemy_url: 'postgresql+psycopg://postgres:hunter2@localhost:5432/sluice' }, '127.0.0.0/8');
    expect(viaUrl).toMatchObject({ ok: false, fields: { sqlalchemy_url: [expect.stringContaining('its PostgreSQL database')] } });
    expect(JSON.stringify(viaUrl)).not.toContain('hunter2');
    expect(await check({ url: 'redis://127.0.0.1:6379' }, '127.0.0.0/8', {})).toMatchObject({ ok: false, fields: { url: [expect.stringContaining('its Redis')] } });
    expect(await check({ api_url: 'http://[::1]:8080/api' }, '127.0.0.0/8', {})).toMatchObject({ ok: false, fields: { api_url: [expect.stringContaining('its API')] } });
    // A tenant's own ClickHouse connector left at its default URL is the platform's.
    expect(await check({ database: 'mine' }, '', clickhouseSchema)).toMatchObject({ ok: false, fields: { url: [expect.stringContaining('its ClickHouse')] } });
  });

  it('refuses private and loopback addresses unless the operator allows them, port included', async () => {
    expect(await check({ host: 'inside.example.com', port: 5432 })).toMatchObject({ ok: false, fields: { host: [expect.stringContaining('private network')] } });
    expect(await check({ host: '169.254.169.254', port: 80 })).toMatchObject({ ok: false, fields: { host: [expect.stringContaining('link-local')] } });
    expect(await check({ host: 'localhost', port: 5433 }, '127.0.0.1/32:5433')).toMatchObject({ ok: false, fields: { host: [expect.stringContaining('::1')] } });
    expect(await check({ host: '127.0.0.1', port: 5433 }, '127.0.0.1/32:5433')).toMatchObject({ ok: true });
    expect(await check({ host: '127.0.0.1', port: 5434 }, '127.0.0.1/32:5433')).toMatchObject({ ok: false });
    expect(await check({ host: 'inside.example.com', port: 5432 }, '10.0.0.0/8')).toMatchObject({ ok: true });
    expect(await check({ host: 'nowhere.invalid', port: 5432 })).toMatchObject({ ok: false, transient: false, fields: { host: [expect.stringContaining('does not resolve')] } });
    const flaky = { ...policy(), lookup: async () => Promise.reject(Object.assign(new Error('try again'), { code: 'EAI_AGAIN' })) };
    expect(await checkConnectorAccess(flaky, { host: 'db.example.com', port: 5432 }, postgresSchema, 'acme')).toMatchObject({ ok: false, transient: true });
  });

  it('pins each checked name to its address, except where a certificate is verified', async () => {
    const plain = await check({ host: 'db.example.com', port: 5432, user: 'u' });
    expect(plain).toMatchObject({ ok: true, config: { host: '93.184.216.34', port: 5432, user: 'u' }, endpoints: [{ host: 'db.example.com', address: '93.184.216.34', port: 5432 }] });
    const url = await check({ sqlalchemy_url: 'postgresql+psycopg://u:p%40ss@db.example.com:6543/x?sslmode=require' });
    expect(url).toMatchObject({ ok: true, config: { sqlalchemy_url: 'postgresql+psycopg://u:p%40ss@93.184.216.34:6543/x?sslmode=require' } });
    const v6 = await check({ url: 'http://localhost:5433/x' }, '127.0.0.1/32:5433,::1/128:5433', {});
    expect(v6).toMatchObject({ ok: true, config: { url: 'http://127.0.0.1:5433/x' } });
    const tls = await check({ url: 'https://db.example.com/x' }, '', {});
    expect(tls).toMatchObject({ ok: true, config: { url: 'https://db.example.com/x' }, endpoints: [{ address: '93.184.216.34', tls: true }] });
  });
});

describe('checkConnectorAccess: files', () => {
  const check = (value: string) => checkConnectorAccess(policy(), { path: value, stream_name: 's' }, jsonlSchema, 'acme');

  it('resolves paths inside the tenant folder', async () => {
    expect(await check('orders/2024.jsonl')).toMatchObject({ ok: true, config: { path: path.join(filesDir, 'acme', 'orders', '2024.jsonl') } });
    expect(await check('alias/2024.jsonl')).toMatchObject({ ok: true, config: { path: path.join(filesDir, 'acme', 'orders', '2024.jsonl') } });
    expect(await check('orders/*.jsonl')).toMatchObject({ ok: false, fields: { path: [expect.stringContaining('orders/peek')] } });
    expect(await check('new/*.jsonl')).toMatchObject({ ok: true });
  });

  it('refuses paths that leave it, naming the field', async () => {
    for (const value of ['../secret.txt', 'orders/../../other/theirs.jsonl', '/etc/passwd', path.join(filesDir, 'acme', 'orders', '2024.jsonl'), '~/.ssh/id_rsa', 'passwd.jsonl', 'orders/peek/theirs.jsonl', '*', '**/*.jsonl']) {
      const result = await check(value);
      expect(result, value).toMatchObject({ ok: false, fields: { path: [expect.any(String)] } });
      if (!result.ok) expect(result.message, value).toContain('path');
    }
  });

  it('finds the syntactic problems without the file system, for create and PATCH', () => {
    expect(connectorSettingProblems(jsonlSchema, { path: '../x' })).toEqual({ path: [expect.stringContaining('..')] });
    expect(connectorSettingProblems(jsonlSchema, { path: '/tmp/x.jsonl' })).toEqual({ path: [expect.stringContaining('not a path from the root')] });
    expect(connectorSettingProblems(postgresSchema, { sqlalchemy_url: 'not a url at all host=x' })).toEqual({ sqlalchemy_url: [expect.stringContaining('connection string')] });
    expect(connectorSettingProblems(postgresSchema, { sqlalchemy_url: 'postgresql://u:p@[nope/db' })).toEqual({ sqlalchemy_url: [expect.stringContaining('not a URL')] });
    expect(connectorSettingProblems(postgresSchema, { host: '127.0.0.1', port: 5432 })).toEqual({});
  });
});

describe('checkConnectorAccess: paths nested in list settings', () => {
  it('resolves each entry of a list inside the tenant folder and names the entry that leaves it', async () => {
    const files = [{ path: 'orders/2024.jsonl', format: 'csv' }, { path: 'alias/*.jsonl', format: 'csv' }];
    const ok = await checkConnectorAccess(policy(), { files: [files[0]] }, csvSchema, 'acme');
    expect(ok).toMatchObject({ ok: true, config: { files: [{ path: path.join(filesDir, 'acme', 'orders', '2024.jsonl'), format: 'csv' }] } });
    const refused = await checkConnectorAccess(policy(), { files: [...files, { path: '/etc/passwd', format: 'csv' }] }, csvSchema, 'acme');
    expect(refused).toMatchObject({ ok: false, fields: { 'files.1.path': [expect.stringContaining('link that leads out')], 'files.2.path': [expect.stringContaining('not a path from the root')] } });
    expect(connectorSettingProblems(csvSchema, { files: [{ path: '../other/theirs.jsonl' }, { path: 'x::http://127.0.0.1:6379/' }, { path: 's3://bucket/x.csv' }] })).toMatchObject({
      'files.0.path': [expect.stringContaining('..')],
      'files.1.path': [expect.stringContaining('not a URL')],
      'files.2.path': [expect.stringContaining('not a URL')],
    });
  });

  it('treats a field that may be an object or a path as a path only when it is text', async () => {
    const config = { api_url: 'https://api.example.com', streams: [{ name: 'a', schema: { properties: {} } }, { name: 'b', schema: '/etc/passwd' }] };
    expect(connectorSettingProblems(restSchema, config)).toEqual({ 'streams.1.schema': [expect.stringContaining('not a path from the root')] });
  });

  it('refuses a URL path that would change the server of the URL it is added to', () => {
    const problems = (path: string) => connectorSettingProblems(restSchema, { api_url: 'https://api.example.com', path, streams: [{ name: 'a', path }] });
    for (const bad of ['@127.0.0.1:6379/', ':5432/', '.evil.example/', 'orders', '\\@127.0.0.1/']) {
      expect(Object.keys(problems(bad)), bad).toEqual(['path', 'streams.0.path']);
    }
    for (const good of ['/orders', '?page=1', '', '//double/slash']) expect(problems(good), good).toEqual({});
  });
});

