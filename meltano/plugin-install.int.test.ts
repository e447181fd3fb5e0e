import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from './install-lock.js';
import { ensurePluginInstalled, meltanoFingerprint, pluginInstalled } from './plugin-install.js';
import { pluginExecutable, pluginVenv, projectRoot } from './project.js';

// Real uv, real PyPI, real processes: each test installs into a plugins folder of its own.
type Line = { line: string; level: string };
type Printed = Line | { ready: true } | { outcome: { ok: boolean; installed?: boolean; message?: string } };

const tapJsonl = (pipUrl: string) => ({ name: 'tap-jsonl', kind: 'extractor' as const, executable: 'tap-jsonl', pipUrl, label: 'JSON Lines file' });

/** A worker-like Node process (meltano/fixtures/ensure-plugin.ts); `start()` sends it the line it waits for. */
function workerLike(root: string, pipUrl: string) {
  const child = spawn('node', ['--import', 'tsx', 'meltano/fixtures/ensure-plugin.ts', root, 'tap-jsonl', pipUrl, 'tap-jsonl'], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const printed: Printed[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => printed.push(JSON.parse(line) as Printed));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, printed, exited, start: () => child.stdin.end('go\n') };
}

const WAITING = 'Waiting for another run that is installing the JSON Lines file connector (tap-jsonl) on this machine…';
const INSTALLED_NOW = 'The JSON Lines file connector (tap-jsonl) is installed now (another run installed it).';

describe('installing plugins on demand', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sluice-plugins-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const fresh = async () => mkdtemp(path.join(root, 'p-'));

  it('two worker processes asked to install the same plugin at once install it once', async () => {
    const dir = await fresh();
    const workers = [workerLike(dir, 'tap-jsonl==0.3.1'), workerLike(dir, 'tap-jsonl==0.3.1')];
    // Both loaded and waiting: they start at the same moment.
    await expect.poll(() => workers.every((w) => w.printed.some((p) => 'ready' in p)), { timeout: 30_000, interval: 20 }).toBe(true);
    for (const worker of workers) worker.start();
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

    const outcomes = workers.map((w) => (w.printed.at(-1) as { outcome: { ok: boolean; installed: boolean } }).outcome);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(outcomes.map((o) => o.installed).sort()).toEqual([false, true]);
    const said = workers.map((w) => (w.printed.filter((p) => 'line' in p) as Line[]).map((p) => p.line));
    const all = said.flat();
    // One install: one venv made, one "Installing …" line.
    expect(all.filter((line) => line.startsWith('Creating virtual environment'))).toHaveLength(1);
    expect(all.filter((line) => line.startsWith('Installing the JSON Lines file connector'))).toHaveLength(1);
    // The other waited for it (or, slower to start, found it installed): nothing else.
    const other = said[outcomes.findIndex((o) => !o.installed)]!;
    expect([[], [WAITING, INSTALLED_NOW]]).toContainEqual(other);

    const plugin = tapJsonl('tap-jsonl==0.3.1');
    expect(await pluginInstalled(plugin, dir)).toBe(true);
    const about = await execa(pluginExecutable(plugin, dir), ['--about', '--format=json']);
    expect(JSON.parse(about.stdout)).toMatchObject({ name: 'tap-jsonl' });
    // Meltano's own fingerprint agrees, so `meltano install` sees nothing to do.
    expect(await readFile(path.join(pluginVenv(plugin, dir), '.meltano_plugin_fingerprint'), 'utf8')).toBe(meltanoFingerprint(['tap-jsonl==0.3.1']));
    expect(meltanoFingerprint(['tap-jsonl==0.3.1'])).toBe('eab1635acac8d31807eacad4e159a75eb0fc64cc32f29fac570c49a141a31de2');
    // Nothing half-made is left beside it.
    expect((await readdir(path.dirname(pluginVenv(plugin, dir)))).sort()).toEqual(['install.lock', 'venv']);
  });

  it('processes that find the install lock taken wait, say so, and one of them installs once it is free', async () => {
    const dir = await fresh();
    const plugin = tapJsonl('tap-jsonl==0.3.1');
    // The test holds the plugin's lock itself, as a third process installing it would.
    const held = await acquireLock(path.join(path.dirname(pluginVenv(plugin, dir)), 'install.lock'), { maxWaitMs: 1_000 });
    if (!held.ok) throw new Error('could not take the lock');
    const workers = [workerLike(dir, 'tap-jsonl==0.3.1'), workerLike(dir, 'tap-jsonl==0.3.1')];
    for (const worker of workers) worker.start();
    const lines = (w: (typeof workers)[number]) => (w.printed.filter((p) => 'line' in p) as Line[]).map((p) => p.line);
    await expect.poll(() => workers.map((w) => lines(w)[0]), { timeout: 30_000, interval: 20 }).toEqual([WAITING, WAITING]);
    await held.lock.release();
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    const all = workers.flatMap(lines);
    expect(all.filter((line) => line.startsWith('Creating virtual environment'))).toHaveLength(1);
    expect(all.filter((line) => line === INSTALLED_NOW)).toHaveLength(1);
    expect(await pluginInstalled(plugin, dir)).toBe(true);
  });

  it('a package that does not exist fails in plain words naming it, and nothing looks installed', async () => {
    const dir = await fresh();
    const plugin = { ...tapJsonl('tap-does-not-exist-sluice==1.0.0'), name: 'tap-nope' };
    const lines: Line[] = [];
    const outcome = await ensurePluginInstalled(plugin, { root: dir, onLine: (line, level) => lines.push({ line, level }) });
    expect(outcome).toEqual({
      ok: false,
      message: 'Could not install the JSON Lines file connector (tap-nope): no package named "tap-does-not-exist-sluice" exists on PyPI. Check the package name and version in the plugin\'s pip_url.',
      transient: false,
      cancelled: false,
    });
    // uv's own words stay in the log, as errors.
    expect(lines).toContainEqual({ line: expect.stringMatching(/tap-does-not-exist-sluice was not found in the package registry/), level: 'error' });
    expect(await pluginInstalled(plugin, dir)).toBe(false);
    expect(await readdir(path.dirname(pluginVenv(plugin, dir)))).toEqual(['install.lock']);
  });

  it('a plugin installed at an older pip_url is installed again at the new one', async () => {
    const dir = await fresh();
    const older = tapJsonl('tap-jsonl==0.3.0');
    expect(await ensurePluginInstalled(older, { root: dir, onLine: () => undefined })).toEqual({ ok: true, installed: true });
    const newer = tapJsonl('tap-jsonl==0.3.1');
    expect(await pluginInstalled(newer, dir)).toBe(false);
    const lines: string[] = [];
    expect(await ensurePluginInstalled(newer, { root: dir, onLine: (line) => lines.push(line) })).toEqual({ ok: true, installed: true });
    expect(lines[0]).toBe('Installing the JSON Lines file connector (tap-jsonl) on this machine at tap-jsonl==0.3.1 (it had tap-jsonl==0.3.0).');
    const about = await execa(pluginExecutable(newer, dir), ['--about', '--format=json']);
    expect((JSON.parse(about.stdout) as { version: string }).version).toBe('0.3.1');
    expect(await pluginInstalled(older, dir)).toBe(false);
    // Asked again: nothing to do, and quickly.
    const started = Date.now();
    expect(await ensurePluginInstalled(newer, { root: dir, onLine: () => undefined })).toEqual({ ok: true, installed: false });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('an install whose process is killed never looks installed; the next one installs it', async () => {
    const dir = await fresh();
    const worker = workerLike(dir, 'tap-jsonl==0.3.1');
    worker.start();
    // Killed as soon as uv has started making the venv.
    await expect.poll(() => worker.printed.some((p) => 'line' in p && p.line.startsWith('Creating virtual environment')), { timeout: 30_000, interval: 20 }).toBe(true);
    worker.child.kill('SIGKILL');
    await worker.exited;
    const plugin = tapJsonl('tap-jsonl==0.3.1');
    expect(await pluginInstalled(plugin, dir)).toBe(false);
    const outcome = await ensurePluginInstalled(plugin, { root: dir, onLine: () => undefined });
    expect(outcome).toEqual({ ok: true, installed: true });
    expect(await pluginInstalled(plugin, dir)).toBe(true);
    expect((await readdir(path.dirname(pluginVenv(plugin, dir)))).sort()).toEqual(['install.lock', 'venv']);
  });

  it('a cancelled install stops, says so, and leaves nothing installed', async () => {
    const dir = await fresh();
    const plugin = tapJsonl('tap-jsonl==0.3.1');
    const cancel = new AbortController();
    const outcome = await ensurePluginInstalled(plugin, {
      root: dir,
      signal: cancel.signal,
      onLine: (line) => {
        if (line.startsWith('Creating virtual environment')) cancel.abort();
      },
    });
    expect(outcome).toMatchObject({ ok: false, cancelled: true, message: 'The install of the JSON Lines file connector (tap-jsonl) was cancelled.' });
    expect(await pluginInstalled(plugin, dir)).toBe(false);
  });
});
