import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { connectCopy } from './copy-connection.js';
import { plainError } from './errors.js';

// Our COPY connection over SSL, against a PostgreSQL of the test's own (the sources' server
// has no SSL): started from this machine's PostgreSQL binaries with a self-signed certificate.
const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
let folder = '';
let port = 0;
let pgCtl = '';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

beforeAll(async () => {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  const bin = path.join('/usr/lib/postgresql', versions[0]!, 'bin');
  pgCtl = path.join(bin, 'pg_ctl');
  folder = await mkdtemp(path.join(tmpdir(), 'sluice-pg-ssl-'));
  await chmod(folder, 0o755);
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(folder, 'server.key'), '-out', path.join(folder, 'server.crt')]);
  await chmod(path.join(folder, 'server.key'), 0o600);
  if (asPostgres.length > 0) {
    const { stdout } = await execa('id', ['-u', 'postgres']);
    const { stdout: gid } = await execa('id', ['-g', 'postgres']);
    for (const name of ['', 'server.key', 'server.crt']) await chown(path.join(folder, name), Number(stdout), Number(gid));
  }
  await execa(asPostgres[0] ?? path.join(bin, 'initdb'), [...asPostgres.slice(1), ...(asPostgres.length ? [path.join(bin, 'initdb')] : []), '-D', path.join(folder, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${folder} -c ssl=on -c ssl_cert_file=${folder}/server.crt -c ssl_key_file=${folder}/server.key -c fsync=off`;
  await execa(asPostgres[0] ?? pgCtl, [...asPostgres.slice(1), ...(asPostgres.length ? [pgCtl] : []), '-D', path.join(folder, 'data'), '-o', options, '-l', path.join(folder, 'server.log'), '-w', 'start']);
}, 60_000);

afterAll(async () => {
  if (folder) {
    await execa(asPostgres[0] ?? pgCtl, [...asPostgres.slice(1), ...(asPostgres.length ? [pgCtl] : []), '-D', path.join(folder, 'data'), '-m', 'immediate', 'stop'], { reject: false });
    await rm(folder, { recursive: true, force: true });
  }
});

const settings = (ssl_mode: string) => parseConfig({ host: '127.0.0.1', port, user: 'postgres', password: '', database: 'postgres', ssl_mode });

async function sessionUsesSsl(ssl_mode: string): Promise<string[]> {
  const connection = await connectCopy(settings(ssl_mode));
  const rows: string[] = [];
  try {
    await connection.copy('COPY (SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()) TO STDOUT', { onRow: (b, s, e) => void rows.push(b.toString('utf8', s, e)), onBatch: () => undefined });
  } finally {
    await connection.end();
  }
  return rows;
}

describe('connectCopy over SSL', () => {
  it('encrypts when the mode asks for it or prefers it, and copies over the encrypted connection', async () => {
    expect(await sessionUsesSsl('require')).toEqual(['true']);
    expect(await sessionUsesSsl('prefer')).toEqual(['true']);
    expect(await sessionUsesSsl('disable')).toEqual(['false']);
  });

  it('refuses a certificate no authority signed when the mode verifies it, in plain words', async () => {
    for (const mode of ['verify-full', 'verify-ca']) {
      const refused = await connectCopy(settings(mode)).catch((error: unknown) => error);
      expect(refused, mode).toBeInstanceOf(Error);
      expect(plainError(refused, settings(mode)), mode).toMatch(/certificate .*could not be verified/);
    }
  });
});
