// `npm run bench`: measured figures, printed as a table with ratios and saved under .data/bench/.
// Set BENCH_RECORDS (default 1000000), BENCH_RUNS (3), BENCH_RSS_RECORDS (5000000) to change the sizes;
// BENCH_ONLY=loader, BENCH_ONLY=orchestration or BENCH_ONLY=sync runs one part; BENCH_SYNC_SPEED_ROWS
// (default 1000000) sizes the sync-speed table, BENCH_SYNC_SPEED_MELTANO=0 leaves out its `meltano run`,
// BENCH_SYNC_SPEED_PYPI=0 every path of the PyPI tap (and `meltano run`): our source and the limit alone, in 2 minutes,
// BENCH_SYNC_SPEED_QUIET=1 skips its memory sampling (bench/sync-speed.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../meltano/project.js';
import { loadEnvPart } from '../core/env.js';
import { benchOrchestration } from './orchestration.js';
import { benchSyncSpeed, printSyncSpeed } from './sync-speed.js';
import { benchTargetClickhouse } from './target-clickhouse.js';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const env = loadEnvPart(['CLICKHOUSE_URL']);
const options = {
  records: number('BENCH_RECORDS', 1_000_000),
  wideRecords: Math.max(1000, Math.floor(number('BENCH_RECORDS', 1_000_000) / 5)),
  peerRecords: number('BENCH_PEER_RECORDS', 100_000),
  rssRecords: number('BENCH_RSS_RECORDS', 5_000_000),
  runs: number('BENCH_RUNS', 3),
  clickhouseUrl: env.CLICKHOUSE_URL,
};
const say = (line: string) => process.stdout.write(`${line}\n`);

await mkdir(path.join(projectRoot, '.data', 'bench'), { recursive: true });
const started = Date.now();
const only = process.env.BENCH_ONLY;
const stamp = () => new Date().toISOString().slice(0, 19).replace(/:/g, '');
if (only === undefined || only === 'sync') {
  const speed = await benchSyncSpeed(
    { rows: number('BENCH_SYNC_SPEED_ROWS', 1_000_000), fixedCostRuns: number('BENCH_SYNC_SPEED_FIXED_RUNS', 3), meltanoRun: process.env.BENCH_SYNC_SPEED_MELTANO !== '0', pypi: process.env.BENCH_SYNC_SPEED_PYPI !== '0' },
    say,
  );
  printSyncSpeed(speed, say);
  say(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; took ${Math.round((Date.now() - started) / 1000)} s`);
  const file = path.join(projectRoot, '.data', 'bench', `sync-speed-${speed.rows}-${stamp()}.json`);
  await writeFile(file, JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30) }, ...speed }, null, 2));
  say(`saved ${path.relative(projectRoot, file)}`);
  if (only === 'sync') process.exit(0);
}
if (only !== 'loader') {
  const orchestration = await benchOrchestration(
    { rows: number('BENCH_SYNC_ROWS', 100_000), runs: options.runs, pickups: number('BENCH_PICKUPS', 20), concurrency: [1, 2, 4] },
    say,
  );
  say(`\nOrchestration (one worker, tap-postgres → target-clickhouse, ${number('BENCH_SYNC_ROWS', 100_000)} rows a sync):\n${JSON.stringify(orchestration, null, 2)}`);
  await writeFile(path.join(projectRoot, '.data', 'bench', `orchestration-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`), JSON.stringify(orchestration, null, 2));
  if (only === 'orchestration') process.exit(0);
}
const result = await benchTargetClickhouse(options, say);
const find = (prefix: string) => result.rows.find((r) => r.name.startsWith(prefix));
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : 'n/a');

say(`\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ClickHouse ${result.version}; median of ${options.runs} runs after a warm-up\n`);
say(`${'loader'.padEnd(78)} ${'records'.padStart(9)} ${'rows/s'.padStart(9)} ${'CPU s'.padStart(7)} ${'peak RSS MB'.padStart(12)}`);
for (const row of result.rows) {
  say(`${row.name.padEnd(78)} ${String(row.records).padStart(9)} ${Math.round(row.rowsPerSecond).toString().padStart(9)} ${row.cpuSeconds.toFixed(2).padStart(7)} ${row.maxRssMb.toFixed(0).padStart(12)}${row.note ? `\n    ${row.note}` : ''}`);
}
const ours = find('target-clickhouse (ours), narrow')?.rowsPerSecond;
const oursWide = find('target-clickhouse (ours), wide')?.rowsPerSecond;
const oursSmall = find('target-clickhouse (ours), narrow, same size')?.rowsPerSecond;
const peer = find('shaped-target-clickhouse')?.rowsPerSecond;
const rss = find('target-clickhouse (ours), narrow, 5')?.maxRssMb ?? result.rows.at(-1)?.maxRssMb;
say(`
ours ÷ limit, narrow: ${ratio(ours, find('limit: curl POST JSONEachRow, narrow')?.rowsPerSecond)}   (acceptance ≥ 0.5, goal 0.8)
ours ÷ limit, wide:   ${ratio(oursWide, find('limit: curl POST JSONEachRow, wide')?.rowsPerSecond)}
ours ÷ shaped-target-clickhouse: ${ratio(oursSmall, peer)}   (acceptance ≥ 10)
ours ÷ target-jsonl (Singer overhead floor): ${ratio(oursSmall, find('target-jsonl')?.rowsPerSecond)}
peak RSS for ${options.rssRecords} records: ${rss?.toFixed(0)} MB   (acceptance < 256 MB)
took ${Math.round((Date.now() - started) / 1000)} s`);
const file = path.join(projectRoot, '.data', 'bench', `results-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
await writeFile(file, JSON.stringify({ options, ...result }, null, 2));
say(`saved ${path.relative(projectRoot, file)}`);
