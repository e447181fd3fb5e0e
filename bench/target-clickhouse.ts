import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { ensurePluginInstalled } from '../meltano/plugin-install.js';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { pluginExecutable, projectRoot } from '../meltano/project.js';
import { generate, type Shape } from './singer-data.js';
import { measure, median, type Measurement } from './measure.js';

/**
 * target-clickhouse against the limit (the same rows POSTed to ClickHouse by curl), the
 * ecosystem's Python ClickHouse loader, and target-jsonl as a floor for Singer overhead.
 * Everything runs in one go on the same machine and server: a warm-up, then the median of
 * `runs` runs, each into a fresh database.
 */
export type BenchOptions = { records: number; wideRecords: number; peerRecords: number; rssRecords: number; runs: number; clickhouseUrl: string };
type Row = { name: string; records: number; rowsPerSecond: number; cpuSeconds: number; maxRssMb: number; note?: string };

const dir = path.join(projectRoot, '.data', 'bench');
const targetBin = path.join(projectRoot, 'meltano', 'target-clickhouse', 'bin', 'target-clickhouse');
const peerVenv = path.join(dir, 'peer-venv');

async function writeJson(file: string, value: unknown) {
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** target-jsonl is not among the plugins setup installs: the bench installs it as a worker would. */
async function installedTargetJsonl(say: (line: string) => void): Promise<string> {
  const d = (await readPluginDefinitions()).find((definition) => definition.name === 'target-jsonl');
  if (!d) throw new Error('meltano.yml has no target-jsonl');
  const plugin = { name: d.name, kind: d.kind, executable: d.executable, pipUrl: d.pip_url };
  const ready = await ensurePluginInstalled(plugin, { onLine: (line, level) => (level === 'info' ? undefined : say(line)) });
  if (!ready.ok) throw new Error(ready.message);
  return pluginExecutable(plugin);
}

function summarize(name: string, records: number, runs: Measurement[], note?: string): Row {
  const failed = runs.find((r) => r.exitCode !== 0);
  if (failed) throw new Error(`${name} failed (exit ${failed.exitCode}): ${failed.stderr.slice(-800)}`);
  return {
    name,
    records,
    rowsPerSecond: records / median(runs.map((r) => r.wallSeconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    ...(note ? { note } : {}),
  };
}

export async function benchTargetClickhouse(options: BenchOptions, say: (line: string) => void) {
  await mkdir(dir, { recursive: true });
  const clickhouse = createClient({ url: options.clickhouseUrl });
  const version = ((await (await clickhouse.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>())[0]?.v ?? '?') as string;
  const prefix = `bench_${Date.now().toString(36)}`;
  const databases: string[] = [];
  const freshDatabase = (label: string) => {
    const name = `${prefix}_${label}_${databases.length}`;
    databases.push(name);
    return name;
  };
  const rows: Row[] = [];

  const runTarget = async (singer: string, label: string, extra: Record<string, unknown> = {}) =>
    measure([targetBin, '--config', await writeJson(path.join(dir, 'target.json'), { url: options.clickhouseUrl, database: freshDatabase(label), ...extra })], singer);

  // The limit: the same rows, POSTed as JSONEachRow into a table like the target's.
  const runCurl = async (jsonl: string, likeDatabase: string, table: string) => {
    const database = freshDatabase('curl');
    await clickhouse.command({ query: `CREATE DATABASE ${database}` });
    await clickhouse.command({ query: `CREATE TABLE ${database}.t AS ${likeDatabase}.${table}` });
    const url = `${options.clickhouseUrl}/?query=${encodeURIComponent(`INSERT INTO ${database}.t FORMAT JSONEachRow`)}&date_time_input_format=best_effort`;
    return measure(['curl', '-sS', '--fail', '--data-binary', `@${jsonl}`, url], '-');
  };

  try {
    for (const [shape, records] of [['narrow', options.records], ['wide', options.wideRecords]] as Array<[Shape, number]>) {
      say(`generating ${records} ${shape} records…`);
      const files = await generate(dir, shape, records);
      await runTarget(files.singer, `${shape}_warm`);
      const likeDatabase = databases.at(-1)!;
      await runCurl(files.jsonl, likeDatabase, shape);
      const ours: Measurement[] = [];
      const limit: Measurement[] = [];
      for (let i = 0; i < options.runs; i += 1) {
        ours.push(await runTarget(files.singer, shape));
        limit.push(await runCurl(files.jsonl, likeDatabase, shape));
      }
      rows.push(summarize(`target-clickhouse (ours), ${shape}`, records, ours));
      rows.push(summarize(`limit: curl POST JSONEachRow, ${shape}`, records, limit));
    }

    say(`generating ${options.peerRecords} narrow records for the Python loaders…`);
    const small = await generate(dir, 'narrow', options.peerRecords);
    const jsonlBin = await installedTargetJsonl(say);
    const jsonlRuns: Measurement[] = [];
    for (let i = 0; i <= options.runs; i += 1) {
      const out = path.join(dir, 'jsonl-out');
      await rm(out, { recursive: true, force: true });
      await mkdir(out, { recursive: true });
      const m = await measure([jsonlBin, '--config', await writeJson(path.join(dir, 'jsonl.json'), { destination_path: out })], small.singer);
      if (i > 0) jsonlRuns.push(m); // the first is the warm-up
    }
    rows.push(summarize('target-jsonl (Python, file output), narrow', options.peerRecords, jsonlRuns));
    const oursSmall: Measurement[] = [];
    for (let i = 0; i < options.runs; i += 1) oursSmall.push(await runTarget(small.singer, 'small'));
    rows.push(summarize('target-clickhouse (ours), narrow, same size as the Python runs', options.peerRecords, oursSmall));

    rows.push(await benchPeer(small.singer, options, freshDatabase, say));

    say(`peak memory: ${options.rssRecords} narrow records in one run…`);
    const big = await generate(dir, 'narrow', options.rssRecords);
    rows.push(summarize(`target-clickhouse (ours), narrow, ${options.rssRecords} records (memory check)`, options.rssRecords, [await runTarget(big.singer, 'rss')]));
    await rm(big.singer, { force: true });
    await rm(big.jsonl, { force: true });
  } finally {
    for (const database of databases) await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await clickhouse.close();
  }
  return { version, rows };
}

/** shaped-target-clickhouse from PyPI, in its own venv under .data/bench. Says why when it cannot run. */
async function benchPeer(singer: string, options: BenchOptions, freshDatabase: (label: string) => string, say: (line: string) => void): Promise<Row> {
  const name = 'shaped-target-clickhouse 0.2.5 (Python, Meltano Hub), narrow';
  const bin = path.join(peerVenv, 'bin', 'target-clickhouse');
  if (!existsSync(bin)) {
    say('installing shaped-target-clickhouse==0.2.5 into .data/bench/peer-venv…');
    await execa('python3', ['-m', 'venv', peerVenv]);
    const install = await execa(path.join(peerVenv, 'bin', 'pip'), ['install', '--quiet', 'shaped-target-clickhouse==0.2.5'], { reject: false });
    if (install.exitCode !== 0) return { name, records: 0, rowsPerSecond: 0, cpuSeconds: 0, maxRssMb: 0, note: `could not install: ${install.stderr.split('\n').filter((l) => !l.startsWith('WARNING')).slice(-3).join(' ')}` };
  }
  const url = new URL(options.clickhouseUrl);
  const clickhouse = createClient({ url: options.clickhouseUrl });
  // Its own DDL makes non-Nullable columns (but for dates) that refuse the stream's NULLs on
  // 18.16, and it never creates the database: give it both, shaped like our table.
  const prepare = async (database: string) => {
    await clickhouse.command({ query: `CREATE DATABASE ${database}` });
    await clickhouse.command({
      query: `CREATE TABLE ${database}.narrow (id Int64, account_id Nullable(Int64), quantity Nullable(Int64), amount Nullable(Float64), score Nullable(Float64),
        name Nullable(String), email Nullable(String), city Nullable(String), created_at Nullable(DateTime), note Nullable(String)) ENGINE = MergeTree ORDER BY id`,
    });
    return database;
  };
  // password must be present, even empty (it reads config['password'] directly).
  const config = (database: string) => ({ driver: 'http', host: url.hostname, port: Number(url.port || 8123), username: 'default', password: '', database });
  const runs: Measurement[] = [];
  try {
    for (let i = 0; i <= options.runs; i += 1) {
      const m = await measure([bin, '--config', await writeJson(path.join(dir, 'peer.json'), config(await prepare(freshDatabase('peer'))))], singer);
      if (m.exitCode !== 0) {
        const reason = m.stderr.split('\n').filter((l) => /Error|Exception|error/.test(l)).slice(-2).join(' ').slice(0, 400);
        return { name, records: 0, rowsPerSecond: 0, cpuSeconds: 0, maxRssMb: 0, note: `does not run against this server: ${reason || m.stderr.slice(-300)}` };
      }
      if (i > 0) runs.push(m);
    }
  } finally {
    await clickhouse.close();
  }
  const row = summarize(name, options.peerRecords, runs);
  return { ...row, note: 'HTTP driver, into a table the benchmark created (its own DDL refuses NULLs on 18.16; its native driver fails on every insert)' };
}
