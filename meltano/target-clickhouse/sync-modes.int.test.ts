import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { file } from 'tmp-promise';
import { afterAll, describe, expect, it } from 'vitest';
import { localEnv } from '../../scripts/local-env.js';

// Sync modes and live progress, through the real target binary against the real ClickHouse.
const bin = path.join(import.meta.dirname, 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl, username: env.CLICKHOUSE_USER ?? 'default', password: env.CLICKHOUSE_PASSWORD ?? '' });
const database = `t_modes_${randomBytes(4).toString('hex')}`;

type Row = { id: number; name: string; deleted?: string };
const schemaLine = (stream: string, keys = ['id']) =>
  JSON.stringify({ type: 'SCHEMA', stream, key_properties: keys, schema: { properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, _sdc_deleted_at: { type: ['string', 'null'], format: 'date-time' } } } });
const recordLine = (stream: string, row: Row) => JSON.stringify({ type: 'RECORD', stream, record: { id: row.id, name: row.name, ...(row.deleted ? { _sdc_deleted_at: row.deleted } : {}) } });
const stateLine = (value: unknown) => JSON.stringify({ type: 'STATE', value });
const streamLines = (stream: string, rows: Row[], keys?: string[]) => [schemaLine(stream, keys), ...rows.map((r) => recordLine(stream, r)), stateLine({ [stream]: rows.length })];
const range = (from: number, to: number, name = (id: number) => `n${id}`) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, name: name(from + i) }));

async function configFile(settings: Record<string, unknown>) {
  const config = await file({ postfix: '.json' });
  await writeFile(config.path, JSON.stringify({ url: clickhouseUrl, database, ...settings }));
  return config;
}

async function runTarget(lines: string[], settings: Record<string, unknown> = {}) {
  const config = await configFile(settings);
  const result = await execa(bin, ['--config', config.path], { input: lines.join('\n'), reject: false, maxBuffer: 1 << 30 });
  await config.cleanup();
  return { ...result, states: result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown) };
}

const rows = async (query: string) => (await clickhouse.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
const count = async (table: string) => Number((await rows(`SELECT count() AS n FROM ${database}.${table}`))[0]!.n);
const ids = async (table: string) => (await rows(`SELECT id FROM ${database}.${table} ORDER BY id`)).map((r) => Number(r.id));
const engineOf = async (table: string) => (await rows(`SELECT engine FROM system.tables WHERE database = '${database}' AND name = '${table}'`))[0]?.engine;
const tablesLike = async (pattern: string) => (await rows(`SELECT name FROM system.tables WHERE database = '${database}' AND name LIKE '${pattern}' ORDER BY name`)).map((r) => r.name);

afterAll(async () => {
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
});

describe('sync mode overwrite', () => {
  const overwrite = { stream_modes: { people: 'overwrite' } };

  it('leaves exactly the rows of the last run (rows gone at the source are gone), and reconciles in the final table', async () => {
    const first = await runTarget(streamLines('people', range(1, 5)), overwrite);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(await ids('people')).toEqual([1, 2, 3, 4, 5]);
    // Second run: 1 and 5 were deleted at the source, 2 changed, 6 is new.
    const second = await runTarget(streamLines('people', [...range(2, 4, (id) => (id === 2 ? 'changed' : `n${id}`)), { id: 6, name: 'n6' }]), overwrite);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.states).toEqual([{ people: 4 }]);
    expect(await rows(`SELECT id, name FROM ${database}.people ORDER BY id`)).toEqual([
      { id: '2', name: 'changed' },
      { id: '3', name: 'n3' },
      { id: '4', name: 'n4' },
      { id: '6', name: 'n6' },
    ]);
    expect(await tablesLike('people%')).toEqual(['people']);
    expect(second.stderr).toContain(
      `METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value: { stream: 'people', table: 'people', received: 4, inserted: 4, inTable: 4, distinctKeys: 4, ok: true, lossy: [] }, tags: { stream: 'people' } })}`,
    );
  });

  it('a run that fails mid-stream leaves the previous table whole and emits no state past the failure; the next run cleans up', async () => {
    await runTarget(streamLines('kept', range(1, 3)), { stream_modes: { kept: 'overwrite' } });
    const failed = await runTarget(
      [stateLine({ before: true }), schemaLine('kept'), recordLine('kept', { id: 9, name: 'partial' }), stateLine({ mid: true }), '{"type": "RECORD", oops', stateLine({ after: true })],
      { stream_modes: { kept: 'overwrite' } },
    );
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/line 5: not valid JSON/);
    // The state before the stream began is fine to keep; none from inside the stream.
    expect(failed.states).toEqual([{ before: true }]);
    expect(await ids('kept')).toEqual([1, 2, 3]);
    const next = await runTarget(streamLines('kept', range(7, 8)), { stream_modes: { kept: 'overwrite' } });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(await ids('kept')).toEqual([7, 8]);
    expect(await tablesLike('kept%')).toEqual(['kept']);
  });

  it('two runs overwriting one table at once both finish, and the table is one of them whole', async () => {
    const settings = { stream_modes: { twice: 'overwrite' }, batch_size_rows: 500 };
    const [a, b] = await Promise.all([runTarget(streamLines('twice', range(1, 20_000)), settings), runTarget(streamLines('twice', range(50_001, 60_000)), settings)]);
    expect([a.exitCode, b.exitCode], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const loaded = await ids('twice');
    expect([20_000, 10_000]).toContain(loaded.length);
    expect(loaded[0]).toBe(loaded.length === 20_000 ? 1 : 50_001);
    expect(await tablesLike('twice%')).toEqual(['twice']);
  });

  it('a run killed mid-stream leaves the previous table whole', async () => {
    const settings = { stream_modes: { killed: 'overwrite' }, batch_size_rows: 100, progress_interval_ms: 50 };
    expect((await runTarget(streamLines('killed', range(1, 3)), settings)).exitCode).toBe(0);
    const config = await configFile(settings);
    const target = execa(bin, ['--config', config.path], { reject: false, stdin: 'pipe' });
    let stderr = '';
    target.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    target.stdin.write(`${schemaLine('killed')}\n${range(10, 1000).map((r) => recordLine('killed', r)).join('\n')}\n`);
    // Rows are committed to the load table before the kill.
    await expect.poll(() => stderr.includes('"metric":"load_progress"'), { timeout: 20_000 }).toBe(true);
    target.kill('SIGKILL');
    expect((await target).signal).toBe('SIGKILL');
    await config.cleanup();
    // Its partial copy waits beside the table, under a name of its own, until surely abandoned.
    const [partial, ...more] = await tablesLike('killed__sluice_load_%');
    expect(more).toEqual([]);
    expect(await count(String(partial))).toBeGreaterThan(0);
    expect(await ids('killed')).toEqual([1, 2, 3]);
  });

  it('readers never see a partial table while it loads', async () => {
    const before = 100_000;
    const after = 200_000;
    const settings = { stream_modes: { big: 'overwrite' }, batch_size_rows: 5000 };
    expect((await runTarget(streamLines('big', range(1, before)), settings)).exitCode).toBe(0);
    const seen = new Map<number, number>();
    const failures: string[] = [];
    let loading = true;
    const reader = (async () => {
      while (loading) {
        await count('big').then(
          (n) => seen.set(n, (seen.get(n) ?? 0) + 1),
          (error: unknown) => failures.push(String(error)),
        );
      }
    })();
    const second = await runTarget(streamLines('big', range(1, after)), settings);
    // A few more reads after the swap.
    for (let i = 0; i < 5; i += 1) await count('big').then((n) => seen.set(n, (seen.get(n) ?? 0) + 1));
    loading = false;
    await reader;
    expect(second.exitCode, second.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([before, after]);
    expect(seen.get(before)!, 'reads during the load').toBeGreaterThan(5);
  });

  it('is refused in a database shared by tenants, where the swap would replace their rows too', async () => {
    const result = await runTarget(streamLines('shared', range(1, 2)), { stream_modes: { shared: 'overwrite' }, tenant_id: 'acme' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/line 1 \(stream "shared"\): overwrite replaces the whole table, and this database is shared by tenants/);
    expect(await tablesLike('shared%')).toEqual([]);
  });

  it('holds states while the stream loads and emits the last one after the swap', async () => {
    const lines = [schemaLine('held'), ...range(1, 30).flatMap((r) => [recordLine('held', r), stateLine({ upTo: r.id })])];
    const result = await runTarget(lines, { stream_modes: { held: 'overwrite' }, batch_size_rows: 5 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.states).toEqual([{ upTo: 30 }]);
  });
});

describe('sync modes append and deduped', () => {
  it('append keeps every row of every run, keyed or not', async () => {
    const settings = { stream_modes: JSON.stringify({ logbook: 'append' }) }; // as text, as Meltano may pass it
    expect((await runTarget(streamLines('logbook', range(1, 3)), settings)).exitCode).toBe(0);
    const second = await runTarget(streamLines('logbook', range(2, 4, () => 'again')), settings);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await engineOf('logbook')).toBe('MergeTree');
    await clickhouse.command({ query: `OPTIMIZE TABLE ${database}.logbook FINAL` });
    expect(await rows(`SELECT id, name FROM ${database}.logbook ORDER BY id, name`)).toEqual([
      { id: '1', name: 'n1' },
      { id: '2', name: 'again' },
      { id: '2', name: 'n2' },
      { id: '3', name: 'again' },
      { id: '3', name: 'n3' },
      { id: '4', name: 'again' },
    ]);
  });

  it('deduped keeps the newest row per key; rows deleted at the source stay as their newest version', async () => {
    const settings = { stream_modes: { accounts: 'deduped' } };
    expect((await runTarget(streamLines('accounts', range(1, 3)), settings)).exitCode).toBe(0);
    const second = await runTarget(streamLines('accounts', [{ id: 2, name: 'newer' }, { id: 3, name: 'n3', deleted: '2026-01-02T03:04:05Z' }]), settings);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await engineOf('accounts')).toBe('ReplacingMergeTree');
    expect(await rows(`SELECT id, name, isNull(_sdc_deleted_at) AS live FROM ${database}.accounts FINAL ORDER BY id`)).toEqual([
      { id: '1', name: 'n1', live: 1 },
      { id: '2', name: 'newer', live: 1 },
      { id: '3', name: 'n3', live: 0 },
    ]);
    // The current source rows, as the README says to query them.
    expect(await rows(`SELECT id FROM ${database}.accounts FINAL WHERE _sdc_deleted_at IS NULL ORDER BY id`)).toEqual([{ id: '1' }, { id: '2' }]);
  });

  it('deduped without key columns is refused, naming the stream', async () => {
    const result = await runTarget(streamLines('keyless', range(1, 2), []), { stream_modes: { keyless: 'deduped' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/stream "keyless"\): .*one row per key \(deduped\).* no key columns. Choose "append" or "overwrite"/);
    expect(await tablesLike('keyless%')).toEqual([]);
  });

  it('refuses an unknown mode in the settings', async () => {
    const result = await runTarget(streamLines('whatever', range(1, 1)), { stream_modes: { whatever: 'mirror' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Setting "stream_modes" gives stream "whatever" the mode "mirror"; use one of overwrite, append, deduped/);
  });

  it('rebuilds a table whose engine does not match a changed mode, keeping its rows', async () => {
    expect((await runTarget(streamLines('switching', range(1, 3)))).exitCode).toBe(0);
    expect(await engineOf('switching')).toBe('ReplacingMergeTree');
    const toAppend = await runTarget(streamLines('switching', range(3, 4)), { stream_modes: { switching: 'append' } });
    expect(toAppend.exitCode, toAppend.stderr).toBe(0);
    expect(toAppend.stderr.match(/INFO stream "switching": .*rebuilding it with its rows/g)).toHaveLength(1);
    expect(await engineOf('switching')).toBe('MergeTree');
    expect(await ids('switching')).toEqual([1, 2, 3, 3, 4]);
    const back = await runTarget(streamLines('switching', range(5, 5)), { stream_modes: { switching: 'deduped' } });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await engineOf('switching')).toBe('ReplacingMergeTree');
    expect(await ids('switching')).toEqual([1, 2, 3, 3, 4, 5]);
    expect((await rows(`SELECT id FROM ${database}.switching FINAL ORDER BY id`)).map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5]);
    expect(await tablesLike('switching%')).toEqual(['switching']);
  });

  it('does not rebuild a table shared by tenants (another tenant may be loading into it)', async () => {
    expect((await runTarget(streamLines('shared_switch', range(1, 2)), { tenant_id: 'a' })).exitCode).toBe(0);
    const result = await runTarget(streamLines('shared_switch', range(3, 3)), { tenant_id: 'b', stream_modes: { shared_switch: 'append' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/stream "shared_switch"\): its table shared_switch is a ReplacingMergeTree, made for another sync mode, and this database is shared by tenants/);
    expect(await engineOf('shared_switch')).toBe('ReplacingMergeTree');
    expect(await ids('shared_switch')).toEqual([1, 2]);
  });
});

describe('load progress', () => {
  type Progress = { stream: string; rows: number; rows_per_second: number };
  const progressOf = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.includes('"metric":"load_progress"'))
      .map((l) => JSON.parse(l.slice('METRIC: '.length)) as { type: string; value: Progress; tags: { stream: string } });

  it('reports committed rows per stream every interval while loading, ending at the total', async () => {
    const total = 60_000;
    const result = await runTarget(streamLines('progress', range(1, total)), { batch_size_rows: 1000, progress_interval_ms: 50 });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = progressOf(result.stderr);
    expect(lines.length, result.stderr).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatchObject({ type: 'summary', tags: { stream: 'progress' } });
      expect(line.value.rows % 1000, 'whole committed batches').toBe(0);
      expect(line.value.rows_per_second).toBeGreaterThan(0);
      expect(Math.round(line.value.rows_per_second * 10)).toBe(line.value.rows_per_second * 10);
    }
    const counts = lines.map((l) => l.value.rows);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    expect(counts.at(-1)).toBe(total);
    // Progress comes before the reconciliation lines.
    expect(result.stderr.lastIndexOf('load_progress')).toBeLessThan(result.stderr.indexOf('"metric":"reconciliation"'));
  });

  it('prints nothing when progress_interval_ms is 0', async () => {
    const result = await runTarget(streamLines('quiet', range(1, 10)), { progress_interval_ms: 0 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(progressOf(result.stderr)).toEqual([]);
  });
});
