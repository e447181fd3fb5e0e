import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { plugins } from '../db/schema/index.js';
import { syncCatalog } from '../core/plugins/service.js';
import { projectRoot } from '../meltano/project.js';
import { startStack, waitForRun, type Stack } from './stack.js';
import { runProcesses, type RunProcess as Proc } from './run-processes.js';
import { probePlugin } from './probe-plugin.js';
import { testDatabaseUrl } from './test-env.js';

// Plugins are third-party code: each tap and target runs under a uid of its own, in a
// folder of its own, with an environment built from scratch. A probe tap (a real process
// running as its plugin uid) reports what it can see and reach while two runs are going.
describe('plugin processes are isolated', () => {
  let stack: Stack;
  const dbPassword = `dbpw-${randomBytes(8).toString('hex')}`;
  const sourceSecrets = [`probe-a-${randomBytes(8).toString('hex')}`, `probe-b-${randomBytes(8).toString('hex')}`];

  beforeAll(async () => {
    // The test Postgres trusts loopback: a password in the URL is carried but not checked.
    const url = new URL(testDatabaseUrl());
    url.password = dbPassword;
    stack = await startStack({ workers: 1, env: { DATABASE_URL: url.toString(), WORKER_CONCURRENCY: '2', TENANT_MAX_CONCURRENT_SYNCS: '2' } });
    await syncCatalog(stack.db, [
      probePlugin({ name: 'tap-probe', namespace: 'tap_probe', label: 'Probe', description: 'test plugin' }),
    ]);
  });
  afterAll(async () => {
    await stack?.db.execute(sql`delete from pipelines where source_connector_id in (select id from connectors where plugin_name = 'tap-probe')`);
    await stack?.db.execute(sql`delete from connectors where plugin_name = 'tap-probe'`);
    await stack?.db.delete(plugins).where(eq(plugins.name, 'tap-probe'));
    await stack?.stop();
  });

  it('a plugin sees only its own settings, and cannot read another run, the master key or another process', async () => {
    const masterKey = stack.env.SLUICE_MASTER_KEY;
    const runs: Array<{ runId: string; database: string; secret: string }> = [];
    for (const secret of sourceSecrets) {
      const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: `probe ${secret.slice(0, 7)}`, plugin: 'tap-probe', config: { secret, project_root: projectRoot } });
      expect(connector.status, JSON.stringify(connector.body)).toBe(201);
      const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: `probe ${secret.slice(0, 7)}`, source_connector_id: connector.body.id, streams: [{ stream: 'probe', sync_mode: 'full_refresh_append' }] });
      expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
      const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`);
      runs.push({ runId: started.body.run_id, database: pipeline.body.destination.database, secret });
    }

    // Both runs hold (each probe waits for its release file): two taps and two targets.
    let processes: Proc[] = [];
    let workerPid = '';
    const tapsNow = () => processes.filter((p) => p.cmdline.includes('plugin-probe.mjs'));
    const targetsNow = () => processes.filter((p) => p.cwd.endsWith('/target') && p.cmdline.includes('node'));
    await vi.waitFor(
      async () => {
        const run = (await stack.api<{ worker: string | null }>('GET', `/runs/${runs[0]!.runId}`)).body;
        workerPid = String(run.worker ?? '').split(':').at(-1) ?? '';
        processes = workerPid ? await runProcesses(workerPid) : [];
        expect(tapsNow()).toHaveLength(2);
        expect(targetsNow()).toHaveLength(2);
      },
      { timeout: 60_000, interval: 100 },
    );
    const taps = tapsNow();
    const targets = targetsNow();

    // Four processes, four uids, none of them ours or root's.
    const uids = [...taps, ...targets].map((p) => p.uid);
    expect(new Set(uids).size).toBe(4);
    for (const uid of uids) expect(uid).toBeGreaterThanOrEqual(200_000);

    const platform = [dbPassword, masterKey, 'MELTANO_', 'DATABASE_URL', 'SLUICE_', 'REDIS_URL'];
    for (const tap of taps) {
      for (const text of platform) expect(tap.environ, `tap environment holds ${text}`).not.toContain(text);
      // the target's settings (its database, the warehouse URL) are not the tap's business
      for (const run of runs) expect(tap.environ).not.toContain(run.database);
      expect(tap.environ).not.toContain('TARGET_CLICKHOUSE');
    }
    for (const target of targets) {
      for (const text of [...platform, ...sourceSecrets, 'TAP_PROBE']) expect(target.environ, `target environment holds ${text}`).not.toContain(text);
    }

    // Let both probes look around now that both runs' folders exist.
    for (const tap of taps) await writeFile(path.join(tap.cwd, 'release'), '');
    for (const run of runs) expect((await waitForRun(stack, run.runId, 60_000)).status).toBe('succeeded');

    const clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    type ProbeRow = { uid: number; env: string; files: string; reached: string };
    const rows: ProbeRow[] = [];
    for (const database of new Set(runs.map((r) => r.database))) {
      rows.push(...(await (await clickhouse.query({ query: `SELECT uid, env, files, reached FROM \`${database}\`.probe`, format: 'JSONEachRow' })).json<ProbeRow>()));
    }
    expect(rows).toHaveLength(2);
    for (const run of runs) {
      const row = rows.find((r) => (JSON.parse(JSON.parse(r.files)['config.json'] as string) as { secret: string }).secret === run.secret);
      expect(row).toBeDefined();
      const env = JSON.parse(row!.env) as Record<string, string>;
      const files = JSON.parse(row!.files) as Record<string, string>;
      const reached = JSON.parse(row!.reached) as Array<[string, string]>;
      expect(Object.keys(files).sort()).toEqual(['catalog.json', 'config.json', 'release']);
      expect(JSON.parse(files['config.json']!)).toEqual({ secret: run.secret, project_root: projectRoot });
      const seen = JSON.stringify({ env, files });
      for (const text of [dbPassword, masterKey, 'MELTANO_', 'DATABASE_URL', run.database, ...sourceSecrets.filter((s) => s !== run.secret)]) expect(seen, `the tap saw ${text}`).not.toContain(text);
      // its HOME is its own folder
      expect(env.HOME).toBe(taps.find((t) => t.uid === Number(row!.uid))?.cwd);
      // and no other process's environment was readable
      expect(reached.filter(([what]) => what.startsWith('read /proc/'))).toEqual([]);
      // Everything else it tried was refused: other run folders, its own run's target folder, the master key, other processes.
      // (Runs of other tests may come and go meanwhile: a folder gone is ENOENT, never readable.)
      expect(reached.filter(([, outcome]) => outcome !== 'EACCES' && outcome !== 'ENOENT')).toEqual([]);
      const outcome = (what: string) => reached.find(([w]) => w === what)?.[1];
      const own = taps.find((t) => t.uid === Number(row!.uid))!;
      const other = taps.find((t) => t !== own)!;
      expect(outcome(`read ${other.cwd}/config.json`)).toBe('EACCES');
      expect(outcome(`list ${other.cwd}`)).toBe('EACCES');
      expect(outcome(`list ${path.dirname(other.cwd)}`)).toBe('EACCES');
      expect(outcome(`read ${path.join(path.dirname(own.cwd), 'target')}/config.json`)).toBe('EACCES');
      expect(outcome(`read ${path.join(projectRoot, '.data', 'master.key')}`)).toBe('EACCES');
    }
    for (const database of new Set(runs.map((r) => r.database))) await clickhouse.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });

    await clickhouse.close();

    // Nothing of either run is left: no process under its uids, no folder.
    expect(await runProcesses(workerPid)).toEqual([]);
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`sluice-run-${workerPid}-`))).toEqual([]);
  });
});
