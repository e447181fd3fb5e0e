import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { file } from 'tmp-promise';
import { afterAll, describe, expect, it } from 'vitest';
import { localEnv } from '../../scripts/local-env.js';
import { safeName } from './identifiers.js';

const bin = path.join(import.meta.dirname, 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl, username: env.CLICKHOUSE_USER ?? 'default', password: env.CLICKHOUSE_PASSWORD ?? '' });
const database = `t_target_${randomBytes(4).toString('hex')}`;

async function runTarget(lines: unknown[], extra: Record<string, unknown> = {}) {
  const config = await file({ postfix: '.json' });
  await writeFile(config.path, JSON.stringify({ url: clickhouseUrl, database, ...extra }));
  const input = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
  const result = await execa(bin, ['--config', config.path], { input, reject: false });
  await config.cleanup();
  return result;
}

const rows = async (query: string) => (await clickhouse.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();

afterAll(async () => {
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
});

describe('target-clickhouse (standalone, real ClickHouse)', () => {
  const schema = { type: 'SCHEMA', stream: 'users', key_properties: ['id'], schema: { properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] } } } };

  it('loads records, emits state only after them, and dedupes a replay by key', async () => {
    const messages = [schema, { type: 'RECORD', stream: 'users', record: { id: 1, name: 'a' } }, { type: 'STATE', value: { n: 1 } }, { type: 'RECORD', stream: 'users', record: { id: 2, name: 'b' } }, { type: 'STATE', value: { n: 2 } }];
    const first = await runTarget(messages);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ n: 2 }]);
    await runTarget(messages);
    expect(await rows(`SELECT id, name FROM ${database}.users FINAL ORDER BY id`)).toEqual([{ id: '1', name: 'a' }, { id: '2', name: 'b' }]);
  });

  it('survives hostile stream and property names', async () => {
    const stream = "x`; DROP DATABASE default; --";
    const result = await runTarget([
      { type: 'SCHEMA', stream, key_properties: [], schema: { properties: { "a'b`c": { type: 'string' } } } },
      { type: 'RECORD', stream, record: { "a'b`c": 'ok' } },
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const tables = await rows(`SELECT name FROM system.tables WHERE database = '${database}' AND name LIKE 'x__%'`);
    expect(tables).toHaveLength(1);
    const [row] = await rows(`SELECT * FROM ${database}.\`${tables[0]!.name as string}\``);
    expect(row?.[safeName("a'b`c")]).toBe('ok');
    expect(await rows(`SELECT name FROM system.databases WHERE name = 'default'`)).toHaveLength(1);
  });

  it('stops at a malformed line naming it, keeps the rows before it, and emits no state past it', async () => {
    const result = await runTarget([
      { ...schema, stream: 'bad' },
      { type: 'RECORD', stream: 'bad', record: { id: 1, name: 'kept' } },
      '{"type": "RECORD", oops',
      { type: 'STATE', value: { never: true } },
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/line 3: not valid JSON/);
    expect(result.stdout).toBe('');
    expect(await rows(`SELECT name FROM ${database}.bad`)).toEqual([{ name: 'kept' }]);
  });

  it('names the stream, line and property of a record that does not fit its schema', async () => {
    const result = await runTarget([{ ...schema, stream: 'typed' }, { type: 'RECORD', stream: 'typed', record: { id: 'seven' } }]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/line 2 \(stream "typed"\): property "id" has "seven", which is not a valid int/);
  });
});
