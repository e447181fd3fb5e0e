import { afterAll, describe, expect, it } from 'vitest';
import { sourceDatabaseUrl } from '../../scripts/local-env.js';
import { parseConfig } from './config.js';
import { connectCopy, type CopyConnection } from './copy-connection.js';
import { plainError } from './errors.js';

// Our own COPY connection against the sources' PostgreSQL (setup.sh, port 5433): trust and
// SCRAM sign-in, SSL refused, rows split across reads, and a server error in the middle of a copy.
const url = new URL(sourceDatabaseUrl());
const base = { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username) || 'postgres', password: decodeURIComponent(url.password), database: 'postgres', ssl_mode: 'disable' };
const open: CopyConnection[] = [];
afterAll(() => Promise.all(open.map((c) => c.end())));

async function copyAll(settings: Record<string, unknown>, query: string) {
  const connection = await connectCopy(parseConfig(settings));
  open.push(connection);
  const rows: string[] = [];
  let batches = 0;
  const count = await connection.copy(query, { onRow: (buf, start, end) => void rows.push(buf.toString('utf8', start, end)), onBatch: () => void (batches += 1) });
  return { count, rows, batches };
}

describe('connectCopy', () => {
  it('copies rows as ranges of what the socket read, in the session settings the tap relies on', async () => {
    const result = await copyAll(base, `COPY (SELECT g, 'row ' || g, timestamptz '2024-01-01 10:00:00+02', current_setting('DateStyle'), 0.1::float8 FROM generate_series(1, 50000) g) TO STDOUT`);
    expect(result.count).toBe(50_000);
    expect(result.rows[0]).toBe('1\trow 1\t2024-01-01 08:00:00+00\tISO, YMD\t0.1');
    expect(result.rows.at(-1)).toMatch(/^50000\trow 50000\t/);
    expect(result.batches).toBeGreaterThan(1);
  });

  it('puts a row back together when it arrives in many reads', async () => {
    const result = await copyAll(base, `COPY (SELECT repeat('x', 3000000) || g FROM generate_series(1, 3) g) TO STDOUT`);
    expect(result.rows.map((r) => r.length)).toEqual([3_000_001, 3_000_001, 3_000_001]);
    expect(result.rows[2]!.endsWith('x3')).toBe(true);
  });

  it('signs in with SCRAM-SHA-256 and names a wrong password by its code', async () => {
    const login = { ...base, user: 'sluice_password_login', password: 'the-right-password' };
    expect((await copyAll(login, 'COPY (SELECT 1) TO STDOUT')).rows).toEqual(['1']);
    const refused = await connectCopy(parseConfig({ ...login, password: 'wrong' })).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: '28P01' });
    expect(plainError(refused, parseConfig(login))).toMatch(/refused the password for user "sluice_password_login"/);
  });

  it('goes on without SSL only when the settings allow it', async () => {
    expect((await copyAll({ ...base, ssl_mode: 'prefer' }, 'COPY (SELECT 2) TO STDOUT')).rows).toEqual(['2']);
    const refused = await connectCopy(parseConfig({ ...base, ssl_mode: 'require' })).catch((error: unknown) => error);
    expect(plainError(refused, parseConfig(base))).toMatch(/does not accept encrypted \(SSL\) connections/);
  });

  it('fails a copy the server stops half way, with its code, after the rows before', async () => {
    const connection = await connectCopy(parseConfig(base));
    open.push(connection);
    const rows: string[] = [];
    const failed = await connection.copy('COPY (SELECT 10 / (5 - g) FROM generate_series(1, 10) g) TO STDOUT', { onRow: (b, s, e) => void rows.push(b.toString('utf8', s, e)), onBatch: () => undefined }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: '22012', message: 'division by zero' });
    expect(rows.length).toBeLessThan(5);
  });
});
