import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import postgres from 'postgres';
import { meltanoEnv, projectRoot } from '../meltano/project.js';
import { settingsToEnv, extraEnvName } from '../meltano/setting-env.js';
import { spawnMeltano } from '../meltano/spawn.js';
import { ensureDatabase } from '../db/migrate.js';
import prepareTestDatabase from '../e2e/global-setup.js';
import { defaultDestinationDatabase } from '../core/pipelines/destination-database.js';
import { readSse, startStack, type Stack } from '../e2e/stack.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';

export async function withMeltanoSysDir<T>(fn: (sysDir: string) => Promise<T>): Promise<T> {
  const sysDir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-'));
  try {
    for (const kind of ['extractors', 'loaders']) {
      // A kind with no installed plugin has no folder: a dangling link makes Meltano's mkdir fail.
      await mkdir(path.join(projectRoot, '.meltano', kind), { recursive: true });
      await symlink(path.join(projectRoot, '.meltano', kind), path.join(sysDir, kind));
    }
    return await fn(sysDir);
  } finally {
    await rm(sysDir, { recursive: true, force: true });
  }
}

/**
 * Orchestration costs, measured through the real API and worker processes: what Sluice adds
 * to a `meltano run`, how fast a worker picks a run up, how fast a log line reaches an SSE
 * client, what tailing clients cost the loader, and how many syncs one worker sustains.
 */
export type OrchestrationOptions = { rows: number; runs: number; pickups: number; concurrency: number[] };

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const median = (values: number[]) => pct(values, 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sourceTables(_platformDatabaseUrl: string, count: number, rows: number) {
  // Sources live on their own PostgreSQL (setup.sh): connectors may not reach the platform's.
  const url = new URL(sourceDatabaseUrl());
  url.pathname = '/sluice_bench_source';
  await ensureDatabase(url.toString());
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const tables: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const table = `bench_${randomBytes(3).toString('hex')}`;
    await sql.unsafe(`create table ${table} (id int primary key, name text, amount double precision, note text, updated_at timestamptz)`);
    await sql.unsafe(`insert into ${table} select g, 'customer ' || g, g * 1.5, case when g % 3 = 0 then null else 'n' || (g % 97) end, now() from generate_series(1, ${rows}) g`);
    tables.push(table);
  }
  const config = { host: url.hostname, port: Number(url.port || 5432), user: 'postgres', password: 'unused', database: 'sluice_bench_source', filter_schemas: ['public'] };
  return { tables, config, drop: async () => { for (const t of tables) await sql.unsafe(`drop table if exists ${t}`); await sql.end(); } };
}

/** Wall time of one sync through the API: from POST to the `end` event, and the SSE events seen (with receive times). */
async function syncThroughApi(stack: Stack, pipelineId: string, tailers = 0) {
  const started = Date.now();
  const { body } = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
  const url = `${stack.baseUrl}/api/v1/runs/${body.run_id}/logs`;
  const extra = Array.from({ length: tailers }, () => readSse(url, stack.token));
  const main = await readSseTimed(url, stack.token);
  await Promise.all(extra);
  const wall = (Date.now() - started) / 1000;
  const run = (await stack.api<{ status: string; started_at: string; queued_at: string; rows_loaded: number }>('GET', `/runs/${body.run_id}`)).body;
  if (run.status !== 'succeeded') throw new Error(`bench sync ${body.run_id} ${run.status}`);
  return { wall, run, events: main, postedAt: started };
}

async function readSseTimed(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const events: Array<{ receivedAt: number; data: Record<string, unknown> }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body!) {
    const now = Date.now();
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let split: number;
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      const data = block.split('\n').find((l) => l.startsWith('data:'))?.slice(5).trim();
      if (!data) continue;
      const parsed = JSON.parse(data) as Record<string, unknown>;
      events.push({ receivedAt: now, data: parsed });
      if (parsed.type === 'end') return events;
    }
  }
  return events;
}

/** Summed RSS (MB) of the Meltano process groups the worker's runs have open right now. */
async function runTreesRssMb(): Promise<{ groups: number; rssMb: number }> {
  const pgids = new Set<string>();
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith('sluice-run-')) continue;
    const pgid = await readFile(path.join(tmpdir(), name, 'pgid'), 'utf8').catch(() => '');
    if (pgid) pgids.add(pgid.trim());
  }
  if (pgids.size === 0) return { groups: 0, rssMb: 0 };
  const { stdout } = await execa('ps', ['-eo', 'pgid=,rss=']);
  let kb = 0;
  for (const line of stdout.split('\n')) {
    const [pgid, rss] = line.trim().split(/\s+/);
    if (pgid && pgids.has(pgid)) kb += Number(rss);
  }
  return { groups: pgids.size, rssMb: kb / 1024 };
}

export async function benchOrchestration(options: OrchestrationOptions, say: (line: string) => void) {
  await prepareTestDatabase(); // the stack runs on the test database: migrate it and let Meltano create its tables
  const results: Record<string, unknown> = {};
  const maxConcurrency = Math.max(...options.concurrency);
  const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: String(maxConcurrency), TENANT_MAX_CONCURRENT_SYNCS: String(maxConcurrency), LOG_LEVEL: 'warn' } });
  const source = await sourceTables(stack.env.DATABASE_URL, maxConcurrency, options.rows);
  try {
    const connector = (await stack.api<{ id: string }>('POST', '/connectors', { name: 'bench source', plugin: 'tap-postgres', config: source.config })).body.id;
    const pipelines: string[] = [];
    // A tenant loads only into its own namespace: sluice_<slug>__<name>.
    const benchDatabase = (i: number) => `${defaultDestinationDatabase(stack.tenant.slug)}__bench_orch_${i}`;
    for (const [i, table] of source.tables.entries()) {
      pipelines.push((await stack.api<{ id: string }>('POST', '/pipelines', { name: `bench ${i}`, source_connector_id: connector, streams: [{ stream: `public-${table}` }], destination_database: benchDatabase(i) })).body.id);
    }
    const first = pipelines[0]!;
    const database = benchDatabase(0);

    say(`overhead: ${options.runs} syncs of ${options.rows} rows through the API vs meltano run in a shell…`);
    await syncThroughApi(stack, first); // warm-up
    const api: number[] = [];
    const shell: number[] = [];
    for (let i = 0; i < options.runs; i += 1) {
      api.push((await syncThroughApi(stack, first)).wall);
      const t = Date.now();
      // Meltano's own way, for comparison: a system folder with the installed plugin venvs linked in.
      const result = await withMeltanoSysDir((sysDir) =>
        spawnMeltano(['--log-format=json', 'run', '--no-install', '--force', `--state-id-suffix=shell-${first}`, 'tap-postgres', 'target-clickhouse'], {
          env: meltanoEnv(stack.env.DATABASE_URL, {
            MELTANO_SYS_DIR_ROOT: sysDir,
            ...settingsToEnv('tap-postgres', source.config),
            [extraEnvName('tap-postgres', 'select')]: JSON.stringify([`public-${source.tables[0]}.*`]),
            ...settingsToEnv('target-clickhouse', { url: stack.env.CLICKHOUSE_URL, user: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD, database }),
          }),
          onLine: () => undefined,
        }),
      );
      if (result.exitCode !== 0) throw new Error('shell meltano run failed');
      shell.push((Date.now() - t) / 1000);
    }
    results.overhead = { api_seconds: median(api), shell_seconds: median(shell), ratio: median(api) / median(shell), added_seconds: median(api) - median(shell) };

    say(`pick-up latency: ${options.pickups} runs posted to an idle worker…`);
    const pickups: number[] = [];
    for (let i = 0; i < options.pickups; i += 1) {
      const posted = Date.now();
      const { body } = await stack.api<{ run_id: string }>('POST', `/pipelines/${first}/runs`);
      let run: { status: string; started_at: string | null } = { status: 'queued', started_at: null };
      while (!run.started_at) {
        await sleep(5);
        run = (await stack.api<typeof run>('GET', `/runs/${body.run_id}`)).body;
      }
      pickups.push(Date.parse(run.started_at) - posted);
      await stack.api('POST', `/runs/${body.run_id}/cancel`);
      while (!['cancelled', 'succeeded', 'failed'].includes(run.status)) {
        await sleep(50);
        run = (await stack.api<typeof run>('GET', `/runs/${body.run_id}`)).body;
      }
    }
    results.pickup_ms = { p50: pct(pickups, 50), p95: pct(pickups, 95), samples: pickups.length };

    say('log latency and the cost of 10 SSE clients tailing…');
    const quiet: number[] = [];
    const tailed: number[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < options.runs; i += 1) {
      quiet.push((await syncThroughApi(stack, first, 0)).wall);
      const withClients = await syncThroughApi(stack, first, 10);
      tailed.push(withClients.wall);
      for (const e of withClients.events) {
        const source = e.data.source_at;
        if (typeof source === 'string') latencies.push(e.receivedAt - Date.parse(source));
      }
    }
    results.log_latency_ms = { p50: pct(latencies, 50), p95: pct(latencies, 95), samples: latencies.length };
    results.sse_clients = { throughput_ratio_10_clients: median(quiet) / median(tailed) };

    say(`concurrency: ${options.concurrency.join(', ')} syncs at once on one worker…`);
    const scaling: Array<{ concurrent: number; rows_per_second: number; rss_mb_per_sync: number }> = [];
    for (const n of options.concurrency) {
      let peak = { groups: 0, rssMb: 0 };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const now = await runTreesRssMb();
          if (now.groups > 0 && now.rssMb / now.groups > peak.rssMb / Math.max(1, peak.groups)) peak = now;
          await sleep(250);
        }
      })();
      const t = Date.now();
      await Promise.all(pipelines.slice(0, n).map((id) => syncThroughApi(stack, id)));
      sampling = false;
      await sampler;
      scaling.push({ concurrent: n, rows_per_second: (n * options.rows) / ((Date.now() - t) / 1000), rss_mb_per_sync: peak.groups ? peak.rssMb / peak.groups : NaN });
    }
    results.concurrency = scaling;
  } finally {
    await source.drop();
    await stack.stop();
  }
  return results;
}
