import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectors, plugins } from '../db/schema/index.js';
import { pluginVenv } from '../meltano/project.js';
import { startStack, waitForRun, type Stack } from './stack.js';

// Plugins install on first use, on the worker that runs them: through the API and real worker
// processes, with plugins of the catalog that no machine has installed yet (copies of
// tap-jsonl under new names, so each test starts from nothing).
describe('plugins installed on demand by the workers', () => {
  let stack: Stack;
  let filesDir: string;
  const made: string[] = [];
  type Run = { id: string; status: string; error: string | null; worker: string | null; result?: { stages?: Array<{ stage: string; label: string; ok: boolean }> } | null };

  /** A catalog plugin no one has installed: tap-jsonl's definition under a new name (and pip_url). */
  const newPlugin = async (label: string, pipUrl = 'tap-jsonl==0.3.1') => {
    const base = (await stack.db.query.plugins.findFirst({ where: eq(plugins.name, 'tap-jsonl') }))!;
    const name = `tap-ondemand-${randomBytes(4).toString('hex')}`;
    made.push(name);
    await rm(path.dirname(pluginVenv({ name, kind: 'extractor' })), { recursive: true, force: true });
    await stack.db.insert(plugins).values({ ...base, name, label, pipUrl, updatedAt: new Date() });
    return name;
  };
  const connector = async (plugin: string) => {
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: `${plugin} source`, plugin, config: { path: 'orders.jsonl', stream_name: 'orders' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id;
  };
  const start = async (route: string) => {
    const started = await stack.api<{ run_id: string }>('POST', route);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return started.body.run_id;
  };
  const finished = async (runId: string) => (await waitForRun(stack, runId)) as unknown as Run;
  const logOf = (runId: string) => fetch(`${stack.baseUrl}/api/v1/runs/${runId}/log`, { headers: { authorization: `Bearer ${stack.token}` } }).then((r) => r.text());

  beforeAll(async () => {
    filesDir = await mkdtemp(path.join(tmpdir(), 'sluice-files-'));
    // Plugins run under user ids of their own: the files folder must be open to them (mkdtemp makes it 0700).
    await chmod(filesDir, 0o755);
    // One interactive run per worker at a time: two runs at once land on both workers.
    stack = await startStack({ workers: 2, env: { SLUICE_FILES_DIR: filesDir, WORKER_INTERACTIVE_CONCURRENCY: '1' } });
    const folder = path.join(filesDir, stack.tenant.slug);
    await mkdir(folder, { recursive: true, mode: 0o755 });
    await writeFile(path.join(folder, 'orders.jsonl'), '{"id": 1, "total": 10}\n{"id": 2, "total": 20}\n', { mode: 0o644 });
  });
  afterAll(async () => {
    if (stack && made.length > 0) {
      await stack.db.delete(connectors).where(inArray(connectors.pluginName, made));
      await stack.db.delete(plugins).where(inArray(plugins.name, made));
    }
    for (const name of made) await rm(path.dirname(pluginVenv({ name, kind: 'extractor' })), { recursive: true, force: true });
    await stack?.stop();
    await rm(filesDir, { recursive: true, force: true });
  });

  it("installs a plugin on its first run, with the install in the run's log, and not again on the next", async () => {
    const plugin = await newPlugin('Orders file');
    const id = await connector(plugin);

    const tested = await finished(await start(`/connectors/${id}/test`));
    expect(tested.status, String(tested.error)).toBe('succeeded');
    // The wizard's stages: one more, before the tap first runs.
    expect(tested.result?.stages?.map((s) => [s.stage, s.ok])).toEqual([
      ['settings', true],
      ['network', true],
      ['install', true],
      ['discovery', true],
      ['first_record', true],
    ]);
    expect(tested.result?.stages?.[2]?.label).toBe('Installing the Orders file connector (first use on this machine)');
    const firstLog = await logOf(tested.id);
    expect(firstLog).toContain(`Installing the Orders file connector (${plugin}) on this machine, its first use here: tap-jsonl==0.3.1.`);
    // uv's own lines, then how long it took.
    expect(firstLog).toMatch(/Resolved \d+ packages? in/);
    expect(firstLog).toMatch(/ \+ tap-jsonl==0\.3\.1/);
    expect(firstLog).toMatch(new RegExp(`Installed the Orders file connector \\(${plugin}\\) in \\d+\\.\\d s\\.`));
    expect(firstLog).toContain('Installing the Orders file connector (first use on this machine): ok');

    const discovered = await finished(await start(`/connectors/${id}/discover`));
    expect(discovered.status, String(discovered.error)).toBe('succeeded');
    const secondLog = await logOf(discovered.id);
    expect(secondLog).not.toMatch(/Installing|Resolved \d+ packages?/);
    const again = await finished(await start(`/connectors/${id}/test`));
    expect(again.result?.stages?.map((s) => s.stage)).toEqual(['settings', 'network', 'discovery', 'first_record']);
  });

  it('two workers given runs that need the same new plugin at the same moment install it once', async () => {
    const plugin = await newPlugin('Orders file');
    const id = await connector(plugin);
    const runIds = await Promise.all([start(`/connectors/${id}/discover`), start(`/connectors/${id}/discover`)]);
    const runs = await Promise.all(runIds.map(finished));
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
    const logs = await Promise.all(runIds.map(logOf));
    expect(logs.filter((log) => log.includes(`Installing the Orders file connector (${plugin}) on this machine`))).toHaveLength(1);
    expect(logs.join('\n').match(/Creating virtual environment/g)).toHaveLength(1);
    // The other waited for it and found it installed (or, picked up later, found it installed at once).
    const other = logs.find((l) => !l.includes('Creating virtual environment'))!;
    expect(other).not.toMatch(/Installing the|Resolved \d+ packages?/);
    if (other.includes('Waiting for another run')) expect(other).toContain(`The Orders file connector (${plugin}) is installed now (another run installed it).`);
  });

  it('a run whose plugin cannot be installed fails with the reason in words', async () => {
    const plugin = await newPlugin('Missing package', 'tap-does-not-exist-sluice==1.0.0');
    const id = await connector(plugin);
    const discovered = await finished(await start(`/connectors/${id}/discover`));
    expect(discovered.status).toBe('failed');
    expect(discovered.error).toBe(`Could not install the Missing package connector (${plugin}): no package named "tap-does-not-exist-sluice" exists on PyPI. Check the package name and version in the plugin's pip_url.`);
    const log = await logOf(discovered.id);
    expect(log).toMatch(/tap-does-not-exist-sluice was not found in the package registry/);

    // The connection test says it at its install stage, and stops there.
    const tested = await finished(await start(`/connectors/${id}/test`));
    expect(tested.status).toBe('failed');
    expect(tested.error).toBe(discovered.error);
    expect(tested.result?.stages?.map((s) => [s.stage, s.ok])).toEqual([
      ['settings', true],
      ['network', true],
      ['install', false],
    ]);
  });
});
