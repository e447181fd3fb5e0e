import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { file } from 'tmp-promise';
import { afterAll, describe, expect, it } from 'vitest';
import { localEnv } from '../../scripts/local-env.js';
import { featuresOf } from './column-types.js';
import { safeName } from './identifiers.js';

// target-clickhouse as a standalone Singer target (`<tap> | target-clickhouse --config c.json`)
// against the real ClickHouse the project's scripts start.
const bin = path.join(import.meta.dirname, 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl, username: env.CLICKHOUSE_USER ?? 'default', password: env.CLICKHOUSE_PASSWORD ?? '' });
const database = `t_target_${randomBytes(4).toString('hex')}`;

const encode = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

async function runTarget(lines: unknown[], extra: Record<string, unknown> = {}) {
  const config = await file({ postfix: '.json' });
  await writeFile(config.path, JSON.stringify({ url: clickhouseUrl, database, ...extra }));
  const result = await execa(bin, ['--config', config.path], { input: encode(lines), reject: false, maxBuffer: 1 << 30 });
  await config.cleanup();
  return { ...result, states: result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown) };
}

const rows = async (query: string) => (await clickhouse.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
// What this server stores and prints (booleans, sub-second times) depends on its version, as in the loader.
const features = featuresOf(String((await rows('SELECT version() AS v'))[0]!.v));
/** A DateTime column's text: whole seconds on servers without DateTime64, microseconds on the rest. */
const timeText = (seconds: string, micros = '000000') => (features.dateTime64 ? `${seconds}.${micros}` : seconds);

/**
 * A proxy in front of ClickHouse that lets `decide` hold or refuse each request before it
 * is forwarded ('refuse' answers 503 without forwarding).
 */
async function clickhouseProxy(decide: (insert: boolean) => Promise<'forward' | 'refuse'>) {
  const upstream = new URL(clickhouseUrl);
  const proxy: Server = createServer((req, res) => {
    void decide(Boolean(req.url?.includes('INSERT'))).then((choice) => {
      if (choice === 'refuse') {
        req.resume();
        res.writeHead(503).end('Service Unavailable');
        return;
      }
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, close: () => new Promise((resolve) => proxy.close(resolve)) };
}
const schema = (stream: string, properties: Record<string, unknown>, key_properties = ['id']) => ({ type: 'SCHEMA', stream, schema: { properties }, key_properties });
const record = (stream: string, value: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'RECORD', stream, record: value, ...extra });
const users = schema('users', { id: { type: 'integer' }, name: { type: ['string', 'null'] } });

afterAll(async () => {
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
});

describe('target-clickhouse: messages', () => {
  it('loads records, emits the last state, and dedupes a replay by key (the replay wins)', async () => {
    const messages = (name: string) => [users, record('users', { id: 1, name }), { type: 'STATE', value: { n: 1 } }, record('users', { id: 2, name: 'b' }), { type: 'STATE', value: { n: 2 } }];
    const first = await runTarget(messages('a'));
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.states.at(-1)).toEqual({ n: 2 });
    const replay = await runTarget(messages('a again'));
    expect(replay.exitCode, replay.stderr).toBe(0);
    expect(await rows(`SELECT id, name FROM ${database}.users FINAL ORDER BY id`)).toEqual([{ id: '1', name: 'a again' }, { id: '2', name: 'b' }]);
    // Merged for good (whenever ClickHouse merges on its own, the same happens): one row per key.
    await clickhouse.command({ query: `OPTIMIZE TABLE ${database}.users FINAL` });
    expect(await rows(`SELECT id, name FROM ${database}.users ORDER BY id`)).toEqual([{ id: '1', name: 'a again' }, { id: '2', name: 'b' }]);
  });

  it('emits a state only when every record before it is committed, across streams and batches', async () => {
    const lines: unknown[] = [schema('ordered_a', { id: { type: 'integer' } }), schema('ordered_b', { id: { type: 'integer' } }, [])];
    for (let i = 1; i <= 50; i += 1) {
      lines.push(record(i % 2 ? 'ordered_a' : 'ordered_b', { id: i }));
      if (i % 10 === 0) lines.push({ type: 'STATE', value: { upTo: i } });
    }
    // Every insert is answered late, so a state sent before its rows are committed is caught.
    const proxy = await clickhouseProxy(async (insert) => {
      if (insert) await new Promise((r) => setTimeout(r, 150));
      return 'forward';
    });
    const config = await file({ postfix: '.json' });
    await writeFile(config.path, JSON.stringify({ url: proxy.url, database, batch_size_rows: 3 }));
    const target = execa(bin, ['--config', config.path], { input: encode(lines), reject: false });
    // The moment each state comes out, every record before it must already be in ClickHouse.
    const checks: Array<Promise<{ upTo: number; committed: number }>> = [];
    let pending = '';
    target.stdout.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop()!;
      for (const line of parts.filter(Boolean)) {
        const { upTo } = JSON.parse(line) as { upTo: number };
        checks.push(
          rows(`SELECT (SELECT count() FROM ${database}.ordered_a WHERE id <= ${upTo}) + (SELECT count() FROM ${database}.ordered_b WHERE id <= ${upTo}) AS n`).then((r) => ({ upTo, committed: Number(r[0]!.n) })),
        );
      }
    });
    const result = await target;
    await proxy.close();
    await config.cleanup();
    expect(result.exitCode, result.stderr).toBe(0);
    const seen = await Promise.all(checks);
    expect(seen.map((c) => c.upTo).at(-1)).toBe(50);
    for (const { upTo, committed } of seen) expect(committed, `state ${upTo}`).toBe(upTo);
    expect(seen.map((c) => c.upTo)).toEqual([...seen.map((c) => c.upTo)].sort((a, b) => a - b));
  });

  it('ACTIVATE_VERSION removes rows of older versions', async () => {
    const s = schema('versioned', { id: { type: 'integer' }, v: { type: 'string' } });
    await runTarget([s, record('versioned', { id: 1, v: 'old' }, { version: 1 }), record('versioned', { id: 2, v: 'old' }, { version: 1 }), { type: 'ACTIVATE_VERSION', stream: 'versioned', version: 1 }]);
    const result = await runTarget([s, record('versioned', { id: 3, v: 'new' }, { version: 2 }), { type: 'ACTIVATE_VERSION', stream: 'versioned', version: 2 }]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await rows(`SELECT id, v, _sdc_table_version FROM ${database}.versioned ORDER BY id`)).toEqual([{ id: '3', v: 'new', _sdc_table_version: '2' }]);
  });

  it('refuses BATCH messages clearly', async () => {
    const result = await runTarget([users, { type: 'BATCH', stream: 'users', encoding: { format: 'jsonl' }, manifest: [] }]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/line 2 \(stream "users"\): BATCH messages are not supported yet/);
  });

  it('accepts any field order, spacing and extra fields, and lines of several MB', async () => {
    const big = 'ü'.repeat(3_000_000);
    const result = await runTarget([
      schema('layout', { id: { type: 'integer' }, name: { type: ['string', 'null'] } }),
      '{"record": {"name": "spaced", "id": 1}, "stream": "layout", "type": "RECORD", "extra": [1, {"x": "}"}]}',
      '{ "type" : "RECORD" , "stream" : "layout" , "record" : { "id" : 2 , "name" : "x" } , "time_extracted" : "2024-01-02T03:04:05Z" }',
      record('layout', { id: 3, name: big }, { time_extracted: '2024-01-02T03:04:05.123456+01:00' }),
      '{"type":"RECORD","stream":"lay\\u006fut","record":{"id":4,"name":"escaped stream name"}}',
      // Another field after the record, itself an object: the line's last two braces are not the record's.
      '{"type":"RECORD","stream":"layout","record":{"id":5,"name":"field after"},"extra":{"k":{}}}',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const loaded = await rows(`SELECT id, length(name) AS len, substring(name, 1, 20) AS start, toString(_sdc_extracted_at, 'UTC') AS extracted FROM ${database}.layout ORDER BY id`);
    expect(loaded).toEqual([
      { id: '1', len: '6', start: 'spaced', extracted: null },
      { id: '2', len: '1', start: 'x', extracted: timeText('2024-01-02 03:04:05') },
      { id: '3', len: String(Buffer.byteLength(big)), start: 'ü'.repeat(10), extracted: timeText('2024-01-02 02:04:05', '123456') },
      { id: '4', len: '19', start: 'escaped stream name', extracted: null },
      { id: '5', len: '11', start: 'field after', extracted: null },
    ]);
  });

  it('does not load properties the schema does not declare, and says so once', async () => {
    const fast = await runTarget([schema('extra_fast', { id: { type: 'integer' } }), record('extra_fast', { id: 1, surprise: 'x' }), record('extra_fast', { id: 2, surprise: 'y' })]);
    expect(fast.exitCode, fast.stderr).toBe(0);
    expect(fast.stderr.match(/property "surprise" is not in the schema/g)).toHaveLength(1);
    const careful = await runTarget([schema('extra_careful', { id: { type: 'integer' }, doc: { type: 'object' } }), record('extra_careful', { id: 1, doc: { a: 1 }, surprise: 'x' })]);
    expect(careful.stderr).toMatch(/property "surprise" is not in the schema; its values are not loaded/);
    expect(await rows(`SELECT name FROM system.columns WHERE database = '${database}' AND table IN ('extra_fast', 'extra_careful') AND name = 'surprise'`)).toEqual([]);
    expect(await rows(`SELECT doc FROM ${database}.extra_careful`)).toEqual([{ doc: '{"a":1}' }]);
  });
});

describe('target-clickhouse: tables and types', () => {
  it('maps types and loads values exactly, on both paths', async () => {
    const properties = {
      id: { type: 'integer' },
      big: { type: ['integer', 'null'] },
      price: { type: ['number', 'null'], multipleOf: 0.01 },
      ratio: { type: ['number', 'null'] },
      at: { type: ['string', 'null'], format: 'date-time' },
      day: { type: ['string', 'null'], format: 'date' },
      uid: { type: ['string', 'null'], format: 'uuid' },
      ok: { type: ['boolean', 'null'] },
      doc: { type: ['object', 'null'] },
      list: { type: ['array', 'null'] },
      either: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      'odd name': { type: ['string', 'null'] },
    };
    const values = { id: 1, big: 9007199254740993, price: 12.34, ratio: -1.5e-7, at: '2024-03-01T12:34:56.789+02:00', day: '2024-02-29T00:00:00Z', uid: '5f0c6f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f', ok: true, doc: { a: [1, 'é'] }, list: [1, 2], either: 7, 'odd name': 'o' };
    const text = `${encode([schema('types', properties)])}\n{"type":"RECORD","stream":"types","record":${JSON.stringify(values).replace('9007199254740992', '9007199254740993')}}\n${JSON.stringify(record('types', { id: 2 }))}`;
    const config = await file({ postfix: '.json' });
    await writeFile(config.path, JSON.stringify({ url: clickhouseUrl, database }));
    const result = await execa(bin, ['--config', config.path], { input: text, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    const columns = await rows(`SELECT name, type FROM system.columns WHERE database = '${database}' AND table = 'types' AND name NOT LIKE '\\_sdc%'`);
    expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).toEqual({
      id: 'Int64',
      big: 'Nullable(Int64)',
      price: 'Nullable(Decimal(38, 2))',
      ratio: 'Nullable(Float64)',
      at: features.dateTime64 ? "Nullable(DateTime64(6, 'UTC'))" : 'Nullable(DateTime)',
      day: features.date32 ? 'Nullable(Date32)' : 'Nullable(Date)',
      uid: 'Nullable(UUID)',
      ok: features.bool ? 'Nullable(Bool)' : 'Nullable(UInt8)',
      doc: 'Nullable(String)',
      list: 'Nullable(String)',
      either: 'Nullable(String)',
      [safeName('odd name')]: 'Nullable(String)',
    });
    const [first, second] = await rows(`SELECT toString(big) AS big, toString(price) AS price, ratio, toString(at, 'UTC') AS at, toString(day) AS day, toString(uid) AS uid, ok, doc, list, either, \`${safeName('odd name')}\` AS odd FROM ${database}.types ORDER BY id`);
    expect(first).toEqual({ big: '9007199254740993', price: '12.34', ratio: -1.5e-7, at: timeText('2024-03-01 10:34:56', '789000'), day: '2024-02-29', uid: values.uid, ok: features.bool ? true : 1, doc: '{"a":[1,"é"]}', list: '[1,2]', either: '7', odd: 'o' });
    expect(second).toMatchObject({ big: null, price: null, doc: null, either: null, odd: null });
  });

  it('evolves the table: new properties become columns, widened types are widened, key changes are refused', async () => {
    const v1 = schema('evolving', { id: { type: 'integer' }, amount: { type: ['integer', 'null'] } });
    expect((await runTarget([v1, record('evolving', { id: 1, amount: 5 })])).exitCode).toBe(0);
    const v2 = schema('evolving', { id: { type: 'integer' }, amount: { type: ['number', 'null'] }, note: { type: ['string', 'null'] } });
    const second = await runTarget([v2, record('evolving', { id: 2, amount: 2.5, note: 'new' })]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await rows(`SELECT id, amount, note FROM ${database}.evolving ORDER BY id`)).toEqual([{ id: '1', amount: 5, note: null }, { id: '2', amount: 2.5, note: 'new' }]);
    const v3 = schema('evolving', { id: { type: 'string' }, amount: { type: ['number', 'null'] } });
    const refused = await runTarget([v3, record('evolving', { id: 'x' })]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/key property "id" is now string but its column holds int/);
  });

  it('survives hostile stream and property names', async () => {
    const stream = "x`; DROP DATABASE default; --";
    const result = await runTarget([schema(stream, { "a'b`c": { type: 'string' } }, []), record(stream, { "a'b`c": 'ok' })]);
    expect(result.exitCode, result.stderr).toBe(0);
    const tables = await rows(`SELECT name FROM system.tables WHERE database = '${database}' AND name LIKE 'x__%'`);
    expect(tables).toHaveLength(1);
    const [row] = await rows(`SELECT * FROM ${database}.\`${tables[0]!.name as string}\``);
    expect(row?.[safeName("a'b`c")]).toBe('ok');
    expect(await rows(`SELECT name FROM system.databases WHERE name = 'default'`)).toHaveLength(1);
  });

  it('carries the tenant in every row when tenant_id is set', async () => {
    const result = await runTarget([schema('tenanted', { id: { type: 'integer' } }), record('tenanted', { id: 1 })], { tenant_id: 'acme' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await rows(`SELECT _sluice_tenant_id AS t, id FROM ${database}.tenanted`)).toEqual([{ t: 'acme', id: '1' }]);
  });

  it("reconciles a tenant's run alone in a table shared by tenants, whose other runs' sequence numbers may overlap it", async () => {
    const lines = (count: number) => [schema('shared', { id: { type: 'integer' } }), ...Array.from({ length: count }, (_, i) => record('shared', { id: i }))];
    expect((await runTarget(lines(1), { tenant_id: 'tenant-a' })).exitCode).toBe(0);
    // Another tenant's rows with a sequence number every millisecond for the next minute: each
    // run's numbers start at its clock, so a run at the same time as this one would have these.
    const now = BigInt(Date.now()) * 1000n;
    await clickhouse.command({ query: `INSERT INTO ${database}.shared (id, _sluice_tenant_id, _sdc_sequence) SELECT number, 'tenant-a', ${now} + number * 1000 FROM system.numbers LIMIT 60000` });
    const result = await runTarget(lines(5000), { tenant_id: 'tenant-b' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/"received":5000,"inserted":5000,"inTable":5000,"distinctKeys":5000,"ok":true/);
    const [overlap] = await rows(`SELECT count() AS n FROM ${database}.shared WHERE _sluice_tenant_id = 'tenant-a' AND _sdc_sequence BETWEEN (SELECT min(_sdc_sequence) FROM ${database}.shared WHERE _sluice_tenant_id = 'tenant-b') AND (SELECT max(_sdc_sequence) FROM ${database}.shared WHERE _sluice_tenant_id = 'tenant-b')`);
    expect(Number(overlap!.n)).toBeGreaterThan(0);
  });
});

describe('target-clickhouse: failures', () => {
  it('stops at a malformed line naming it, keeps the rows and the state before it', async () => {
    const result = await runTarget([
      schema('bad', { id: { type: 'integer' }, name: { type: ['string', 'null'] } }),
      record('bad', { id: 1, name: 'kept' }),
      { type: 'STATE', value: { before: true } },
      '{"type": "RECORD", oops',
      { type: 'STATE', value: { never: true } },
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/line 4: not valid JSON/);
    expect(result.states).toEqual([{ before: true }]);
    expect(await rows(`SELECT name FROM ${database}.bad`)).toEqual([{ name: 'kept' }]);
  });

  it('names the stream, line and property of a record that does not fit, committing the rows before it', async () => {
    const result = await runTarget([schema('typed', { id: { type: 'integer' } }), record('typed', { id: 1 }), record('typed', { id: 2 }), record('typed', { id: 'seven' }), record('typed', { id: 4 })]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/line 4 \(stream "typed"\): property "id" has "seven", which is not a valid int/);
    expect(await rows(`SELECT id FROM ${database}.typed ORDER BY id`)).toEqual([{ id: '1' }, { id: '2' }]);
  });

  it('retries when ClickHouse answers 503, then loads everything', async () => {
    let refused = 0;
    const proxy = await clickhouseProxy(async (insert) => (insert && refused < 2 ? ((refused += 1), 'refuse') : 'forward'));
    const result = await runTarget([schema('flaky', { id: { type: 'integer' } }), record('flaky', { id: 1 }), record('flaky', { id: 2 })], { url: proxy.url });
    await proxy.close();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(refused).toBe(2);
    expect(result.stderr).toMatch(/WARNING ClickHouse insert failed .*retrying/);
    expect(await rows(`SELECT count() AS n FROM ${database}.flaky`)).toEqual([{ n: '2' }]);
  });
});
