import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogArgs, runPlugins, type PluginProcess } from './plugin-process.js';
import { withRunDir } from './run-dir.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Recording a process group writes a file: slow on a busy disk. Children must not depend on it being quick.
const slowRunIn = (folder: string) => ({ path: folder, recordProcessGroup: () => sleep(300) });

describe('runPlugins with children that fail at once', { timeout: 15_000 }, () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'sluice-plugin-process-test-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const slowRun = () => slowRunIn(folder);
  const proc = (name: string, executable: string, args: string[], stderr: string[], stdout?: string[]): PluginProcess => ({
    name,
    executable,
    args,
    folder: { path: folder },
    onStderr: (line) => void stderr.push(line),
    ...(stdout ? { onStdout: (line: string) => void stdout.push(line) } : {}),
  });

  it("keeps a tap's only error line when it exits while its process group is being recorded", async () => {
    const stderr: string[] = [];
    const result = await runPlugins(slowRun(), [proc('tap-x', '/bin/sh', ['-c', 'echo "bad password" >&2; exit 2'], stderr)], {});
    expect(result).toMatchObject({ exitCode: 2, cancelled: false, timedOut: false });
    expect(stderr).toEqual(['bad password']);
  });

  it('ends with a clear result, not a crash, when the target cannot be started', async () => {
    const tapErr: string[] = [];
    const targetErr: string[] = [];
    const result = await runPlugins(slowRun(), [proc('tap-x', '/bin/sh', ['-c', 'sleep 0.2; echo "{}"'], tapErr), proc('target-missing', '/nonexistent/target-missing', [], targetErr, [])], {});
    expect(result.exitCode).toBe(127);
    expect(targetErr).toEqual(['ERROR target-missing could not be started (ENOENT): is it installed on this worker?']);
  });

  it('ends with a clear result when a lone plugin cannot be started', async () => {
    const stderr: string[] = [];
    const result = await runPlugins(slowRun(), [proc('tap-missing', '/nonexistent/tap-missing', [], stderr)], {});
    expect(result.exitCode).toBe(127);
    expect(stderr).toEqual(['ERROR tap-missing could not be started (ENOENT): is it installed on this worker?']);
  });
});

describe('runPlugins with a tap piped into a target', { timeout: 15_000 }, () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'sluice-plugin-process-test-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const sh = (name: string, script: string, stdout?: string[]): PluginProcess => ({
    name,
    executable: '/bin/sh',
    args: ['-c', script],
    folder: { path: folder },
    onStderr: () => undefined,
    ...(stdout ? { onStdout: (line: string) => void stdout.push(line) } : {}),
  });
  const run = () => ({ path: folder, recordProcessGroup: async () => undefined });

  it("links them with a pipe, not a socket, and the target sees EOF when the tap ends", async () => {
    const stdout: string[] = [];
    const tap = sh('tap-x', 'stat -L -c %F /proc/self/fd/1; readlink /proc/self/fd/1; sleep 0.3; echo last');
    const target = sh('target-x', 'cat; stat -L -c %F /proc/self/fd/0', stdout);
    const result = await runPlugins(run(), [tap, target], {});
    expect(result).toMatchObject({ exitCode: 0, cancelled: false, timedOut: false });
    expect(stdout[0]).toBe('fifo');
    expect(stdout[1]).not.toMatch(/^socket:/);
    expect(stdout.slice(2)).toEqual(['last', 'fifo']);
    // The FIFO is gone from the folder once both ends are open.
    expect(existsSync(path.join(folder, 'tap-to-target'))).toBe(false);
  });

  it('stops the tap with SIGPIPE when the target exits early', async () => {
    const stdout: string[] = [];
    // The target succeeds, so the result is the tap's: killed by the broken pipe, not left writing.
    const result = await runPlugins(run(), [sh('tap-x', 'exec yes'), sh('target-x', 'head -n 1', stdout)], {});
    expect(result).toMatchObject({ exitCode: undefined, signal: 'SIGPIPE' });
    expect(stdout).toEqual(['y']);
  });

  it("reports the target's exit code when the target fails first", async () => {
    const result = await runPlugins(run(), [sh('tap-x', 'exec yes'), sh('target-x', 'read line; exit 3', [])], {});
    expect(result).toMatchObject({ exitCode: 3, cancelled: false });
  });

  it('cancels both', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 300);
    const started = Date.now();
    const result = await runPlugins(run(), [sh('tap-x', 'echo one; exec sleep 30'), sh('target-x', 'exec cat', [])], { signal: cancel.signal });
    expect(result).toMatchObject({ cancelled: true, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('falls back to a socket pair when no FIFO can be made there', async () => {
    const stdout: string[] = [];
    const missing = { path: path.join(folder, 'missing'), recordProcessGroup: async () => undefined };
    const result = await runPlugins(missing, [sh('tap-x', 'stat -L -c %F /proc/self/fd/1; echo last'), sh('target-x', 'cat', stdout)], {});
    expect(result.exitCode).toBe(0);
    expect(stdout).toEqual(['socket', 'last']);
  });

  it('works between the two uids of a real run folder, which holds no FIFO while they run', async () => {
    const stdout: string[] = [];
    let fifoSeen: boolean | undefined;
    const result = await withRunDir(async (runDir) => {
      const tap = { ...sh('tap-x', 'id -u; stat -L -c %F /proc/self/fd/1'), folder: await runDir.pluginFolder('tap') };
      const target = {
        ...sh('target-x', 'cat; id -u'),
        folder: await runDir.pluginFolder('target'),
        onStdout: (line: string) => {
          fifoSeen ??= existsSync(path.join(runDir.path, 'tap-to-target'));
          stdout.push(line);
        },
      };
      return { ...(await runPlugins(runDir, [tap, target], {})), uids: [tap.folder.uid, target.folder.uid] };
    });
    expect(result.exitCode).toBe(0);
    expect(fifoSeen).toBe(false);
    expect(stdout[1]).toBe('fifo');
    // Under root each has a uid of its own; otherwise both are ours.
    expect(stdout[0]).toBe(String(result.uids[0] ?? process.getuid?.()));
    expect(stdout[2]).toBe(String(result.uids[1] ?? process.getuid?.()));
  });
});

describe('catalogArgs', () => {
  it('hands the catalog as --properties only to taps that read nothing else', () => {
    expect(catalogArgs(['properties', 'discover', 'state'])).toEqual(['--properties', 'catalog.json']);
    expect(catalogArgs(['catalog', 'properties', 'discover'])).toEqual(['--catalog', 'catalog.json']);
    expect(catalogArgs(undefined)).toEqual(['--catalog', 'catalog.json']);
  });
});
