import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { execa } from 'execa';
import postgres from 'postgres';
import { ensureDatabase } from '../db/migrate.js';
import prepareTestDatabase from '../e2e/global-setup.js';
import { startStack, type Stack } from '../e2e/stack.js';
import { defaultDestinationDatabase } from '../core/pipelines/destination-database.js';
import { selectStreams, type Catalog } from '../meltano/catalog-selection.js';
import { readPluginDefinitions } from '../meltano/plugins.js';
import { meltanoEnv, pluginEnv, pluginExecutable, projectRoot } from '../meltano/project.js';
import { extraEnvName, settingsToEnv } from '../meltano/setting-env.js';
import { spawnMeltano } from '../meltano/spawn.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import { measure, median } from './measure.js';
import { withMeltanoSysDir } from './orchestration.js';
import { sampleTreeMemory, type MemoryPeaks } from './process-memory.js';

/**
 * Issue 13's figures, side by side in one run on one generated PostgreSQL table: the
 * hardware's limit (COPY piped into a ClickHouse INSERT), a tap alone writing to /dev/null,
 * the same tap through a real Sluice sync (API → worker → tap | target-clickhouse), and
 * `meltano run` of the same pair; the fixed cost of a sync of an empty table over the tap's
 * own start-up; and the memory of the sync's processes. A first-party tap
 * (`tap-sluice-postgres`), when meltano.yml has one, is measured the same way, its sync
 * three times, each right after a sample of the limit. Every path starts once ClickHouse's
 * background merges of the one before have ended.
 */
export type SyncSpeedOptions = { rows: number; fixedCostRuns: number; meltanoRun: boolean; pypi: boolean };

/** The generated table (schema sync_speed, one table per size); the empty one is alone in sync_speed_empty. */
export const tableDdl = (qualified: string) => `create table ${qualified} (
  id bigint primary key,
  name text,
  amount numeric(12,2),
  updated_at timestamptz,
  quantity int,
  active boolean
)`;
const fill = (qualified: string, rows: number) => `insert into ${qualified}
  select g, 'customer ' || g, round((g % 100000) * 1.37, 2), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
         case when g % 10 = 0 then null else g % 1000 end, g % 2 = 0
  from generate_series(1, ${rows}) g`;
// What the limit reads: the same columns, shaped as ClickHouse's TSV reader takes them (UTC wall time, bool as 0/1).
const limitSelect = (qualified: string) => `select id, name, amount, updated_at at time zone 'UTC', quantity, active::int from ${qualified}`;
const limitColumns = 'id Int64, name Nullable(String), amount Nullable(Decimal(12, 2)), updated_at Nullable(DateTime), quantity Nullable(Int32), active Nullable(UInt8)';

/** `loadAfter`: the machine's 1-minute load average as the measurement ended (other work on the 2 cores shows here). */
export type PathFigure = { path: string; rows: number; seconds: number; rowsPerSecond: number; note?: string; memory?: MemoryPeaks; cpuSeconds?: number; peakRssMb?: number; loadAfter: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Our plugins' bin scripts fall back to running their TypeScript through tsx when a source
 * file is newer than the compiled dist/ (slower, and a larger process): measuring that would
 * say nothing about what ships, so the bench refuses, saying how to rebuild.
 */
async function requireCompiledPlugins() {
  for (const plugin of ['target-clickhouse', 'tap-sluice-postgres']) {
    const folder = path.join(projectRoot, 'meltano', plugin);
    const built = await stat(path.join(folder, 'dist', 'main.js')).catch(() => undefined);
    const sources = (await readdir(folder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const stale = [];
    for (const file of sources) if (!built || (await stat(path.join(folder, file))).mtimeMs > built.mtimeMs) stale.push(file);
    if (stale.length > 0) throw new Error(`meltano/${plugin}/dist is older than ${stale.join(', ')}: run npx tsc -p meltano/${plugin}/tsconfig.build.json (or npm run setup) first`);
  }
}
const OURS_ROUNDS = 3;

/** Waits (up to a minute) until ClickHouse merges nothing in the background, then half a second more. */
async function quiesce(clickhouse: ClickHouseClient) {
  for (let waited = 0; waited < 60_000; waited += 200) {
    const [row] = await (await clickhouse.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' })).json<{ n: string }>();
    if (Number(row?.n ?? 0) === 0) break;
    await sleep(200);
  }
  await sleep(500);
}
const SOURCE_DB = 'sluice_bench_source';

async function sourceTable(rows: number, say: (line: string) => void) {
  const url = Object.assign(new URL(sourceDatabaseUrl()), { pathname: `/${SOURCE_DB}` }).toString();
  await ensureDatabase(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const table = `rows_${rows}`;
  const have = await sql<{ n: string }[]>`select count(*)::text as n from information_schema.tables where table_schema = 'sync_speed' and table_name = ${table}`;
  const count = have[0]!.n === '1' ? Number((await sql.unsafe(`select count(*)::text as n from sync_speed.${table}`))[0]!.n) : -1;
  if (count !== rows) {
    say(`generating sync_speed.${table} (${rows} rows)…`);
    // One table in the schema: the taps discover the whole schema, and a smaller run's table would be discovered too.
    await sql.unsafe('drop schema if exists sync_speed cascade');
    await sql.unsafe('create schema sync_speed');
    await sql.unsafe(tableDdl(`sync_speed.${table}`));
    await sql.unsafe(fill(`sync_speed.${table}`, rows));
    await sql.unsafe(`vacuum analyze sync_speed.${table}`);
  }
  await sql.unsafe('drop schema if exists sync_speed_empty cascade');
  await sql.unsafe('create schema sync_speed_empty');
  await sql.unsafe(tableDdl('sync_speed_empty.empty'));
  const u = new URL(url);
  const config = (schema: string) => ({ host: u.hostname, port: Number(u.port || 5432), user: u.username || 'postgres', password: u.password || 'unused', database: SOURCE_DB, filter_schemas: [schema] });
  return { url, sql, table, config };
}

/** COPY … TO STDOUT from the `postgres` package's readable, streamed into one HTTP INSERT … FORMAT TSV. */
async function limitNode(sourceUrl: string, qualified: string, clickhouseUrl: string, auth: { user: string; password: string }, into: string) {
  const url = new URL(clickhouseUrl);
  url.searchParams.set('query', `INSERT INTO ${into} FORMAT TSV`);
  url.searchParams.set('user', auth.user);
  if (auth.password) url.searchParams.set('password', auth.password);
  const started = performance.now();
  // A connection of its own each time, as psql has: one that served a COPY readable is not handed out again.
  const sql = postgres(sourceUrl, { max: 1, onnotice: () => {} });
  const copy = await sql.unsafe(`copy (${limitSelect(qualified)}) to stdout`).readable();
  const request = http.request(url, { method: 'POST' });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.once('error', reject);
  });
  await pipeline(copy, request);
  const { status, body } = await answered;
  const seconds = (performance.now() - started) / 1000;
  void sql.end({ timeout: 1 });
  if (status !== 200) throw new Error(`ClickHouse refused the limit insert (${status}): ${body.slice(0, 300)}`);
  return seconds;
}

/** `psql \copy (…) to stdout | curl -T -` into the same INSERT, as a shell would. */
async function limitShell(sourceUrl: string, qualified: string, clickhouseUrl: string, auth: { user: string; password: string }, into: string) {
  const url = new URL(clickhouseUrl);
  url.searchParams.set('query', `INSERT INTO ${into} FORMAT TSV`);
  url.searchParams.set('user', auth.user);
  if (auth.password) url.searchParams.set('password', auth.password);
  const started = performance.now();
  await execa('bash', ['-o', 'pipefail', '-c', 'psql -X -q "$PG" -c "\\copy ($SELECT) to stdout" | curl -sS --fail -X POST -H "Transfer-Encoding: chunked" -T - "$CH"'], {
    env: { PG: sourceUrl, SELECT: limitSelect(qualified), CH: url.toString() },
  });
  return (performance.now() - started) / 1000;
}

async function countIn(clickhouse: ClickHouseClient, table: string) {
  const [row] = await (await clickhouse.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })).json<{ n: string }>();
  return Number(row?.n ?? 0);
}

type Plugin = { name: string; kind: 'extractor' | 'loader'; executable: string; pipUrl: string | null | undefined };

/** A tap run by itself, as the worker would (its own folder and environment), its Singer output to /dev/null. */
/**
 * `sink`: where its stdout goes: /dev/null; an OS pipe drained by cat, as a target's stdin would be
 * (what a pipe costs a tap that flushes every message); or target-clickhouse with this config,
 * in a shell, without the worker.
 */
type Sink = 'devnull' | 'cat' | { target: string; config: Record<string, unknown> };
async function tapAlone(tap: Plugin, config: Record<string, unknown>, tableName: string, runs = 1, sink: Sink = 'devnull') {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-tap-'));
  try {
    const executable = pluginExecutable(tap);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    const discovered = await execa(executable, ['--config', 'config.json', '--discover'], { cwd: dir, env: pluginEnv(dir), extendEnv: false, maxBuffer: 1e9 });
    const catalog = JSON.parse(discovered.stdout) as Catalog;
    const stream = catalog.streams?.find((s) => (s.tap_stream_id ?? s.stream ?? '').endsWith(tableName));
    if (!stream) throw new Error(`${tap.name} did not discover ${tableName}`);
    const streamId = stream.tap_stream_id ?? stream.stream ?? '';
    await writeFile(path.join(dir, 'catalog.json'), JSON.stringify(selectStreams(catalog, [{ stream: streamId, replication_method: 'FULL_TABLE' }])));
    const results = [];
    for (let i = 0; i < runs; i += 1) {
      const tapCommand = `cd "${dir}" && "$0" --config config.json --catalog catalog.json`;
      if (typeof sink === 'object') await writeFile(path.join(dir, 'target.json'), JSON.stringify({ ...sink.config, stream_modes: { [streamId]: 'overwrite' } }));
      const command = sink === 'devnull' ? `cd "${dir}" && exec "$0" --config config.json --catalog catalog.json` : sink === 'cat' ? `${tapCommand} | cat > /dev/null` : `${tapCommand} | "${sink.target}" --config target.json > /dev/null`;
      const m = await measure(['bash', '-o', 'pipefail', '-c', command, executable], '-', pluginEnv(dir));
      if (m.exitCode !== 0) throw new Error(`${tap.name} alone failed: ${m.stderr.slice(-600)}`);
      results.push(m);
    }
    return { streamId, runs: results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Seconds of `<tap> --about`: the Python (or Node) start-up every run pays before it reads anything. */
async function aboutSeconds(tap: Plugin) {
  const m = await measure([pluginExecutable(tap), '--about'], '-');
  return m.wallSeconds;
}

/** One Sluice sync: POST …/runs, polled every 50 ms until it ends; memory of the worker's plugin processes sampled meanwhile. */
async function sluiceSync(stack: Stack, pipelineId: string) {
  const workerPid = stack.workers[0]!.pid!;
  // BENCH_SYNC_SPEED_QUIET=1: no memory sampling and a poll every 500 ms, to see what the bench's own watching costs the sync.
  const quiet = process.env.BENCH_SYNC_SPEED_QUIET === '1';
  const sampler = quiet ? { stop: async (): Promise<MemoryPeaks> => ({ tapMb: NaN, targetMb: NaN, totalMb: NaN, ownMb: NaN, workerMb: NaN, samples: 0 }) } : sampleTreeMemory(workerPid, 100);
  const posted = Date.now();
  const { body } = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
  type Run = { status: string; started_at: string | null; finished_at: string | null; rows_loaded: number | null; error: string | null };
  let run: Run;
  for (;;) {
    run = (await stack.api<Run>('GET', `/runs/${body.run_id}`)).body;
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) break;
    await sleep(quiet ? 500 : 50);
  }
  const seen = (Date.now() - posted) / 1000;
  const memory = await sampler.stop();
  if (run.status !== 'succeeded') throw new Error(`bench sync ${body.run_id} ${run.status}: ${run.error ?? ''} (worker log: ${stack.workerLogFiles[0]})`);
  const finished = run.finished_at ? (Date.parse(run.finished_at) - posted) / 1000 : seen;
  return { seconds: finished, seenSeconds: seen, pickupSeconds: run.started_at ? (Date.parse(run.started_at) - posted) / 1000 : NaN, rowsLoaded: run.rows_loaded ?? 0, memory };
}

async function waitRun(stack: Stack, runId: string) {
  for (;;) {
    const { body } = await stack.api<{ status: string; error: string | null }>('GET', `/runs/${runId}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.status)) return body;
    await sleep(100);
  }
}

/** The warehouse databases the bench's pipelines load into, dropped at the end. */
const destinations: string[] = [];
/**
 * A connector of `plugin` on one schema, discovered through the API, and a full-refresh pipeline
 * of its one table into the database named by `destinationLabel`. A tap's empty-table pipeline
 * and its big one share a database: on 18.16 the first sync into a new database also waits for
 * ClickHouse to read the tenant's login file again (once per database, a second or two), which
 * the fixed-cost syncs then pay, not the big one.
 */
async function pipelineFor(stack: Stack, plugin: string, config: Record<string, unknown>, tableName: string, label: string, destinationLabel = label) {
  const connector = (await stack.api<{ id: string }>('POST', '/connectors', { name: `bench ${label}`, plugin, config })).body.id;
  const discovery = (await stack.api<{ run_id: string }>('POST', `/connectors/${connector}/discover`)).body.run_id;
  const discovered = await waitRun(stack, discovery);
  if (discovered.status !== 'succeeded') throw new Error(`discovery of ${label} ${discovered.status}: ${discovered.error ?? ''}`);
  const streams = (await stack.api<{ data: Array<{ stream: string }> }>('GET', `/connectors/${connector}/streams`)).body.data ?? [];
  const stream = streams.find((s) => s.stream.endsWith(tableName))?.stream;
  if (!stream) throw new Error(`${label}: discovery found no ${tableName} (${streams.map((s) => s.stream).join(', ')})`);
  const destination = `${defaultDestinationDatabase(stack.tenant.slug)}__${destinationLabel.replace(/[^a-z0-9]/g, '_')}`;
  if (!destinations.includes(destination)) destinations.push(destination);
  const created = await stack.api<{ id: string }>('POST', '/pipelines', {
    name: `bench ${label}`,
    source_connector_id: connector,
    streams: [{ stream, sync_mode: 'full_refresh_overwrite' }],
    destination_database: destination,
  });
  if (created.status !== 201) throw new Error(`pipeline ${label}: ${created.status} ${JSON.stringify(created.body)}`);
  return { pipelineId: created.body.id, stream };
}

/** Rounds of (PyPI tap alone, Sluice sync with it); BENCH_SYNC_SPEED_PYPI_ROUNDS, 2 by default. */
const PYPI_ROUNDS = Math.max(1, Number(process.env.BENCH_SYNC_SPEED_PYPI_ROUNDS ?? 2) || 2);
const figure = (p: string, rows: number, seconds: number, extra: Partial<PathFigure> = {}): PathFigure => ({ path: p, rows, seconds, rowsPerSecond: rows / seconds, loadAfter: os.loadavg()[0]!, ...extra });

export async function benchSyncSpeed(options: SyncSpeedOptions, say: (line: string) => void) {
  await requireCompiledPlugins();
  await prepareTestDatabase(); // the stack runs on the test database: migrated, with Meltano's tables
  const definitions = await readPluginDefinitions();
  const plugin = (name: string): Plugin | undefined => {
    const d = definitions.find((p) => p.name === name);
    return d && { name: d.name, kind: d.kind, executable: d.executable, pipUrl: d.pip_url };
  };
  const pypiTap = plugin('tap-postgres')!;
  const ourTap = plugin('tap-sluice-postgres');
  const source = await sourceTable(options.rows, say);
  const qualified = `sync_speed.${source.table}`;
  const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: '1', LOG_LEVEL: 'warn' } });
  const auth = { user: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD };
  const clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: auth.user, password: auth.password });
  const chDatabase = `bench_sync_speed_${Date.now().toString(36)}`;
  const figures: PathFigure[] = [];
  const fixedCost: Record<string, unknown> = {};
  const skipped: Record<string, string> = {};
  try {
    await clickhouse.command({ query: `CREATE DATABASE ${chDatabase}` });

    // 5. Fixed cost: an empty table through Sluice vs the tap's own start-up on it. First: it also warms the worker.
    // The connector is discovered through the API first, so its syncs start from that discovery (as frequent syncs do).
    const measureFixedCost = async (tap: Plugin, label: string) => {
      say(`fixed cost (${tap.name}): ${options.fixedCostRuns} syncs of an empty table vs the tap alone on it…`);
      const empty = await pipelineFor(stack, tap.name, source.config('sync_speed_empty'), 'empty', `${label}_empty`, label);
      // The first sync into a new database also sets up the workspace's warehouse login; on 18.16
      // that waits for ClickHouse to re-read its users file (about 2 s). Reported, not counted.
      const first = (await sluiceSync(stack, empty.pipelineId)).seconds;
      const syncs: number[] = [];
      for (let i = 0; i < options.fixedCostRuns; i += 1) syncs.push((await sluiceSync(stack, empty.pipelineId)).seconds);
      const alone = (await tapAlone(tap, source.config('sync_speed_empty'), 'empty', options.fixedCostRuns)).runs.map((r) => r.wallSeconds);
      const about = await aboutSeconds(tap);
      return {
        sluice_empty_sync_seconds: median(syncs),
        tap_alone_empty_seconds: median(alone),
        tap_about_seconds: about,
        added_seconds: median(syncs) - median(alone),
        first_sync_seconds: first,
        samples: { sluice: syncs, tap_alone: alone },
      };
    };
    if (options.pypi) fixedCost[pypiTap.name] = await measureFixedCost(pypiTap, 'speed_pypi');

    // 1. The limit, two ways; the faster one is the limit.
    say('the limit: COPY … TO STDOUT into a ClickHouse INSERT … FORMAT TSV (Node streams, then psql | curl)…');
    const limits: PathFigure[] = [];
    for (const [label, run] of [
      ['limit: COPY (postgres.js readable) → HTTP INSERT FORMAT TSV (Node streams)', (into: string) => limitNode(source.url, qualified, stack.env.CLICKHOUSE_URL, auth, into)],
      ['limit: psql \\copy … to stdout | curl -T - INSERT FORMAT TSV', (into: string) => limitShell(source.url, qualified, stack.env.CLICKHOUSE_URL, auth, into)],
    ] as const) {
      const seconds: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const into = `${chDatabase}.limit_${limits.length}_${i}`;
        await clickhouse.command({ query: `CREATE TABLE ${into} (${limitColumns}) ENGINE = MergeTree ORDER BY id` });
        await quiesce(clickhouse);
        seconds.push(await run(into));
        const loaded = await countIn(clickhouse, into);
        if (loaded !== options.rows) throw new Error(`${label} loaded ${loaded} rows of ${options.rows}`);
      }
      limits.push(figure(label, options.rows, median(seconds), { note: `median of 3: ${seconds.map((s) => s.toFixed(2)).join(', ')} s` }));
    }
    limits.sort((a, b) => a.seconds - b.seconds);
    const limit = { ...limits[0]!, path: `${limits[0]!.path} ← the limit (faster of the two)` };
    figures.push(limit, ...limits.slice(1));

    if (options.pypi) {
      // 2 and 3, in turns: the tap alone, its output to /dev/null (the first also warms the
      // source's page cache), then a Sluice sync (API → worker → tap | target-clickhouse). A
      // run of the tap takes most of a minute, and this machine's speed drifts by a third
      // from one minute to the next, so each sync is measured right after a run of the tap alone.
      const pypiPipeline = await pipelineFor(stack, pypiTap.name, source.config('sync_speed'), source.table, 'speed_pypi');
      const aloneRuns: Array<{ wallSeconds: number; cpuSeconds: number; maxRssMb: number }> = [];
      const syncRuns: Array<Awaited<ReturnType<typeof sluiceSync>>> = [];
      for (let round = 1; round <= PYPI_ROUNDS; round += 1) {
        say(`${pypiTap.name} alone → /dev/null, then a Sluice sync with it (round ${round} of ${PYPI_ROUNDS})…`);
        await quiesce(clickhouse);
        aloneRuns.push((await tapAlone(pypiTap, source.config('sync_speed'), source.table)).runs[0]!);
        await quiesce(clickhouse);
        const synced = await sluiceSync(stack, pypiPipeline.pipelineId);
        if (synced.rowsLoaded !== options.rows) throw new Error(`the Sluice sync loaded ${synced.rowsLoaded} rows of ${options.rows}`);
        syncRuns.push(synced);
      }
      const pairs = aloneRuns.map((a, i) => `${a.wallSeconds.toFixed(1)} then ${syncRuns[i]!.seconds.toFixed(1)} s`).join('; ');
      const aloneMedian = median(aloneRuns.map((r) => r.wallSeconds));
      const pypiAloneFigure = figure(`${pypiTap.name} (meltanolabs 0.10.0) alone → /dev/null (median of ${PYPI_ROUNDS})`, options.rows, aloneMedian, {
        cpuSeconds: median(aloneRuns.map((r) => r.cpuSeconds)),
        peakRssMb: Math.max(...aloneRuns.map((r) => r.maxRssMb)),
        note: `each round, alone then synced: ${pairs}`,
      });
      figures.push(pypiAloneFigure);
      // The sync whose time is the median, with its memory.
      const middle = [...syncRuns].sort((a, b) => a.seconds - b.seconds)[Math.floor((syncRuns.length - 1) / 2)]!;
      const pypiSyncFigure = figure(`Sluice sync with ${pypiTap.name}: POST /runs → succeeded (median of ${PYPI_ROUNDS})`, options.rows, median(syncRuns.map((r) => r.seconds)), {
        memory: middle.memory,
        note: `picked up after ${middle.pickupSeconds.toFixed(2)} s; starts from the discovery made through the API before its first round (younger than SLUICE_DISCOVERY_REUSE_SECONDS); memory of the median sync`,
      });
      await quiesce(clickhouse);
      const piped = await tapAlone(pypiTap, source.config('sync_speed'), source.table, 1, 'cat');
      figures.push(figure(`${pypiTap.name} alone → pipe → cat > /dev/null (what the pipe alone costs)`, options.rows, piped.runs[0]!.wallSeconds, { cpuSeconds: piped.runs[0]!.cpuSeconds }));
      // The issue's third line: the tap piped straight into our target in a shell, no worker, no discovery.
      const target = plugin('target-clickhouse')!;
      const shellDatabase = `${chDatabase}_shell`;
      await quiesce(clickhouse);
      const shell = await tapAlone(pypiTap, source.config('sync_speed'), source.table, 1, { target: pluginExecutable(target), config: { url: stack.env.CLICKHOUSE_URL, user: auth.user, password: auth.password, database: shellDatabase } });
      const shellTables = await (await clickhouse.query({ query: `SELECT name FROM system.tables WHERE database = '${shellDatabase}'`, format: 'JSONEachRow' })).json<{ name: string }>();
      const shellCounts = await Promise.all(shellTables.map(async (t) => `${t.name}: ${await countIn(clickhouse, `${shellDatabase}.\`${t.name}\``)}`));
      await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${shellDatabase}` });
      figures.push(figure(`${pypiTap.name} | target-clickhouse in a shell (no worker, no discovery)`, options.rows, shell.runs[0]!.wallSeconds, { cpuSeconds: shell.runs[0]!.cpuSeconds, note: `rows in ClickHouse afterwards: ${shellCounts.join(', ') || 'no table'}` }));
      figures.push(pypiSyncFigure);

      // 4. meltano run of the same pair, Meltano relaying between them.
      if (options.meltanoRun) {
        say('meltano run tap-postgres target-clickhouse…');
        await quiesce(clickhouse);
        const started = performance.now();
        let lastLines: string[] = [];
        const result = await withMeltanoSysDir((sysDir) =>
          spawnMeltano(['--log-format=json', 'run', '--no-install', '--force', `--state-id-suffix=speed-${Date.now()}`, 'tap-postgres', 'target-clickhouse'], {
            env: meltanoEnv(stack.env.DATABASE_URL, {
              MELTANO_SYS_DIR_ROOT: sysDir,
              ...settingsToEnv('tap-postgres', source.config('sync_speed')),
              [extraEnvName('tap-postgres', 'select')]: JSON.stringify([`${pypiPipeline.stream}.*`]),
              [extraEnvName('tap-postgres', 'metadata')]: JSON.stringify({ [pypiPipeline.stream]: { 'replication-method': 'FULL_TABLE' } }),
              ...settingsToEnv('target-clickhouse', { url: stack.env.CLICKHOUSE_URL, user: auth.user, password: auth.password, database: `${chDatabase}_meltano` }),
            }),
            onLine: (line) => void (lastLines = [...lastLines.slice(-20), line]),
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        if (result.exitCode === 0) {
          const tables = await (await clickhouse.query({ query: `SELECT name FROM system.tables WHERE database = '${chDatabase}_meltano'`, format: 'JSONEachRow' })).json<{ name: string }>();
          const counts = await Promise.all(tables.map(async (t) => `${t.name}: ${await countIn(clickhouse, `${chDatabase}_meltano.\`${t.name}\``)}`));
          figures.push(figure('meltano run tap-postgres target-clickhouse', options.rows, seconds, { note: `rows in ClickHouse afterwards: ${counts.join(', ') || 'no table'}` }));
        } else {
          skipped.meltano_run = `exit ${result.exitCode}: ${lastLines.slice(-5).join(' | ').slice(0, 600)}`;
          say(`meltano run failed: ${skipped.meltano_run}`);
        }
        await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${chDatabase}_meltano` });
      } else skipped.meltano_run = 'BENCH_SYNC_SPEED_MELTANO=0';
    } else skipped.pypi = 'BENCH_SYNC_SPEED_PYPI=0';


    // The first-party tap, when meltano.yml has it: the same (2), (3) and (5).
    if (ourTap) {
      try {
        say(`${ourTap.name} alone → /dev/null…`);
        await quiesce(clickhouse);
        const alone = await tapAlone(ourTap, source.config('sync_speed'), source.table);
        figures.push(figure(`${ourTap.name} alone → /dev/null`, options.rows, alone.runs[0]!.wallSeconds, { cpuSeconds: alone.runs[0]!.cpuSeconds, peakRssMb: alone.runs[0]!.maxRssMb }));
        // Fixed cost first, as for the PyPI tap: its syncs also make the destination database and its login.
        fixedCost[ourTap.name] = await measureFixedCost(ourTap, 'speed_ours');
        // Side by side: three rounds of the limit then our sync, each after ClickHouse's merges
        // of what came before have ended (a sync a few seconds long is otherwise measured
        // against the background work of the last one, or of the PyPI paths before it).
        say(`${OURS_ROUNDS} rounds of the limit, then a Sluice sync with ${ourTap.name}…`);
        const ours = await pipelineFor(stack, ourTap.name, source.config('sync_speed'), source.table, 'speed_ours');
        const limitSeconds: number[] = [];
        const syncs: Awaited<ReturnType<typeof sluiceSync>>[] = [];
        for (let round = 0; round < OURS_ROUNDS; round += 1) {
          const into = `${chDatabase}.limit_beside_ours_${round}`;
          await clickhouse.command({ query: `CREATE TABLE ${into} (${limitColumns}) ENGINE = MergeTree ORDER BY id` });
          await quiesce(clickhouse);
          limitSeconds.push(await limitShell(source.url, qualified, stack.env.CLICKHOUSE_URL, auth, into));
          await quiesce(clickhouse);
          const sync = await sluiceSync(stack, ours.pipelineId);
          if (sync.rowsLoaded !== options.rows) throw new Error(`the Sluice sync with ${ourTap.name} loaded ${sync.rowsLoaded} rows of ${options.rows}`);
          syncs.push(sync);
        }
        const seconds = syncs.map((s) => s.seconds);
        figures.push(figure(`limit, side by side with the syncs below (median of ${OURS_ROUNDS})`, options.rows, median(limitSeconds), { note: `${limitSeconds.map((x) => x.toFixed(2)).join(', ')} s` }));
        figures.push(
          figure(`Sluice sync with ${ourTap.name}: POST /runs → succeeded (median of ${OURS_ROUNDS})`, options.rows, median(seconds), {
            memory: syncs[0]!.memory,
            note: `${seconds.map((x) => x.toFixed(2)).join(', ')} s; picked up after ${syncs[0]!.pickupSeconds.toFixed(2)} s`,
          }),
        );
      } catch (error) {
        skipped[ourTap.name] = (error as Error).message.slice(0, 600);
        say(`${ourTap.name} could not be measured: ${skipped[ourTap.name]}`);
      }
    } else skipped['tap-sluice-postgres'] = 'not in meltano.yml';
  } finally {
    for (const name of [chDatabase, ...destinations.splice(0)]) await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${name}` }).catch(() => undefined);
    await clickhouse.close();
    await source.sql.end();
    await stack.stop();
  }

  const find = (prefix: string) => figures.find((f) => f.path.startsWith(prefix));
  const limit = figures[0]!;
  const pypiAlone = find(`${pypiTap.name} (meltanolabs`);
  const pypiSync = find(`Sluice sync with ${pypiTap.name}`);
  const pypiPiped = find(`${pypiTap.name} alone → pipe`);
  const pypiShell = find(`${pypiTap.name} | target-clickhouse`);
  const per = (a: PathFigure | undefined, b: PathFigure | undefined) => (a && b ? a.rowsPerSecond / b.rowsPerSecond : null);
  const meltano = find('meltano run');
  const oursAlone = ourTap && find(`${ourTap.name} alone`);
  const oursSync = ourTap && find(`Sluice sync with ${ourTap.name}`);
  const limitBesideOurs = find('limit, side by side');
  const ratios: Record<string, number | null> = {
    'sluice_pypi_sync / limit (issue: ≥ 0.25 with our tap; was 0.014)': per(pypiSync, limit),
    'sluice_pypi_sync / pypi_tap_alone (issue: ≥ 0.9; was 0.41)': per(pypiSync, pypiAlone),
    'sluice_pypi_sync / pypi_tap_through_pipe_to_cat (what a pipe leaves reachable)': per(pypiSync, pypiPiped),
    'sluice_pypi_sync / pypi_tap_piped_into_target_in_shell (what the worker adds)': per(pypiSync, pypiShell),
    'pypi_tap_alone / limit': per(pypiAlone, limit),
    'sluice_pypi_sync / meltano_run (× faster)': per(pypiSync, meltano),
    'sluice_ours_sync / limit beside it (issue: ≥ 0.25)': per(oursSync, limitBesideOurs),
    'sluice_ours_sync / the first limit': per(oursSync, limit),
    'sluice_ours_sync / sluice_pypi_sync (× faster)': per(oursSync, pypiSync),
    'sluice_ours_sync / meltano_run (issue: ≥ 10)': per(oursSync, meltano),
    'sluice_ours_sync / ours_tap_alone': per(oursSync, oursAlone),
    'ours_tap_alone / limit': per(oursAlone, limit),
  };

  // A source edited while the bench ran sends the plugins' later runs through tsx: refuse the figures, as at the start.
  await requireCompiledPlugins().catch((error: unknown) => {
    throw new Error(`a plugin's sources changed while the bench ran, so its later runs measured tsx, not dist/; these figures are not valid (${error instanceof Error ? error.message : String(error)})`);
  });
  return { rows: options.rows, table: `${SOURCE_DB}.${qualified}`, ddl: tableDdl(qualified), fill: fill(qualified, options.rows), figures, ratios, fixed_cost: fixedCost, skipped };
}

export type SyncSpeedResult = Awaited<ReturnType<typeof benchSyncSpeed>>;

/** The part's table, as `npm run bench` prints it. */
export function printSyncSpeed(result: SyncSpeedResult, say: (line: string) => void) {
  const limit = result.figures[0]!;
  say(`\nSync speed, ${result.rows.toLocaleString('en')} rows of ${result.table} (6 columns), one run side by side:\n`);
  say(`${'path'.padEnd(84)} ${'wall s'.padStart(8)} ${'rows/s'.padStart(9)} ${'÷ limit'.padStart(8)}`);
  for (const f of result.figures) {
    say(`${f.path.padEnd(84)} ${f.seconds.toFixed(2).padStart(8)} ${Math.round(f.rowsPerSecond).toString().padStart(9)} ${(f.rowsPerSecond / limit.rowsPerSecond).toFixed(3).padStart(8)}`);
    const details = [
      [f.note, `load average ${f.loadAfter.toFixed(1)} at the end`].filter(Boolean).join('; '),
      f.cpuSeconds === undefined ? undefined : `CPU ${f.cpuSeconds.toFixed(1)} s${f.peakRssMb === undefined ? '' : `, peak RSS ${f.peakRssMb.toFixed(0)} MB (largest process)`}`,
      f.memory && f.memory.samples > 0 ? `peak RSS while syncing: tap ${f.memory.tapMb.toFixed(0)} MB, target ${f.memory.targetMb.toFixed(0)} MB, together ${f.memory.totalMb.toFixed(0)} MB; every page once (private pages + the shared ones once): ${f.memory.ownMb.toFixed(0)} MB (worker itself ${f.memory.workerMb.toFixed(0)} MB; ${f.memory.samples} samples every 100 ms)` : undefined,
    ].filter(Boolean);
    for (const d of details) say(`    ${d}`);
  }
  say('\nRatios:');
  for (const [name, value] of Object.entries(result.ratios)) if (value !== null) say(`  ${name}: ${value.toFixed(3)}`);
  say('\nFixed cost (medians; an empty table in a schema of its own):');
  for (const [tap, f] of Object.entries(result.fixed_cost) as Array<[string, { sluice_empty_sync_seconds: number; tap_alone_empty_seconds: number; tap_about_seconds: number; added_seconds: number; first_sync_seconds: number }]>) {
    say(`  ${tap}: Sluice sync ${f.sluice_empty_sync_seconds.toFixed(2)} s, the tap alone ${f.tap_alone_empty_seconds.toFixed(2)} s (--about ${f.tap_about_seconds.toFixed(2)} s): Sluice adds ${f.added_seconds.toFixed(2)} s   (issue: ≤ 1 s)`);
    say(`    not counted: the first sync into its new database, which also sets up the workspace's warehouse login, ${f.first_sync_seconds.toFixed(2)} s`);
  }
  for (const [what, why] of Object.entries(result.skipped)) say(`  not measured: ${what}: ${why}`);
}
