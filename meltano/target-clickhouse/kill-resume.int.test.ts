import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { file } from 'tmp-promise';
import { afterAll, describe, expect, it } from 'vitest';
import { localEnv } from '../../scripts/local-env.js';

const bin = path.join(import.meta.dirname, 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl });
const database = `t_kill_${randomBytes(4).toString('hex')}`;
const TOTAL = 60_000;
const schema = JSON.stringify({ type: 'SCHEMA', stream: 'orders', key_properties: ['id'], schema: { properties: { id: { type: 'integer' }, amount: { type: ['number', 'null'] } } } });
const recordLine = (id: number) => JSON.stringify({ type: 'RECORD', stream: 'orders', record: { id, amount: id / 100 }, time_extracted: '2026-01-01T00:00:00Z' });
const stateLine = (id: number) => JSON.stringify({ type: 'STATE', value: { bookmarks: { orders: { id } } } });
const count = async (query: string) => Number(((await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0));

afterAll(async () => {
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
});

describe('target-clickhouse killed with SIGKILL mid-stream', () => {
  it('loses nothing when the tap resumes from the last state it emitted', async () => {
    const config = await file({ postfix: '.json' });
    await writeFile(config.path, JSON.stringify({ url: clickhouseUrl, database, batch_size_rows: 2000, batch_max_age_ms: 200 }));

    // The "tap": writes records slowly, a STATE every 1000, so the kill lands mid-stream.
    const target = execa(bin, ['--config', config.path], { reject: false, stdin: 'pipe' });
    const states: number[] = [];
    target.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) states.push((JSON.parse(line) as { bookmarks: { orders: { id: number } } }).bookmarks.orders.id);
    });
    target.stdin.write(`${schema}\n`);
    for (let id = 1; id <= TOTAL && states.length < 4; id += 1) {
      target.stdin.write(`${recordLine(id)}\n`);
      if (id % 1000 === 0) {
        target.stdin.write(`${stateLine(id)}\n`);
        await sleep(40);
      }
    }
    target.kill('SIGKILL');
    const killed = await target;
    expect(killed.signal).toBe('SIGKILL');
    expect(states.length).toBeGreaterThanOrEqual(4);
    const bookmark = states.at(-1)!;
    expect(bookmark).toBeLessThan(TOTAL);
    // Everything the last emitted state covers is in ClickHouse.
    expect(await count(`SELECT uniqExact(id) AS n FROM ${database}.orders WHERE id <= ${bookmark}`)).toBe(bookmark);

    // The tap resumes at its bookmark (inclusive, as many do): the overlap dedupes by key.
    const rest = [schema];
    for (let id = bookmark; id <= TOTAL; id += 1) rest.push(recordLine(id));
    rest.push(stateLine(TOTAL));
    const resumed = await execa(bin, ['--config', config.path], { input: rest.join('\n'), reject: false });
    await config.cleanup();
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim().split('\n').at(-1)).toBe(JSON.stringify({ bookmarks: { orders: { id: TOTAL } } }));
    expect(await count(`SELECT count() AS n FROM ${database}.orders FINAL`)).toBe(TOTAL);
    expect(await count(`SELECT uniqExact(id) AS n FROM ${database}.orders`)).toBe(TOTAL);
    expect(await count(`SELECT countIf(round(amount * 100) != id) AS n FROM ${database}.orders FINAL`)).toBe(0);
  });
});
