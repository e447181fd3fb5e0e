import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogArgs, runPlugins, type PluginProcess } from './plugin-process.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Recording a process group writes a file: slow on a busy disk. Children must not depend on it being quick.
const slowRun = { recordProcessGroup: () => sleep(300) };

describe('runPlugins with children that fail at once', { timeout: 15_000 }, () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'sluice-plugin-process-test-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

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
    const result = await runPlugins(slowRun, [proc('tap-x', '/bin/sh', ['-c', 'echo "bad password" >&2; exit 2'], stderr)], {});
    expect(result).toMatchObject({ exitCode: 2, cancelled: false, timedOut: false });
    expect(stderr).toEqual(['bad password']);
  });

  it('ends with a clear result, not a crash, when the target cannot be started', async () => {
    const tapErr: string[] = [];
    const targetErr: string[] = [];
    const result = await runPlugins(slowRun, [proc('tap-x', '/bin/sh', ['-c', 'sleep 0.2; echo "{}"'], tapErr), proc('target-missing', '/nonexistent/target-missing', [], targetErr, [])], {});
    expect(result.exitCode).toBe(127);
    expect(targetErr).toEqual(['ERROR target-missing could not be started (ENOENT): is it installed on this worker?']);
  });

  it('ends with a clear result when a lone plugin cannot be started', async () => {
    const stderr: string[] = [];
    const result = await runPlugins(slowRun, [proc('tap-missing', '/nonexistent/tap-missing', [], stderr)], {});
    expect(result.exitCode).toBe(127);
    expect(stderr).toEqual(['ERROR tap-missing could not be started (ENOENT): is it installed on this worker?']);
  });
});

describe('catalogArgs', () => {
  it('hands the catalog as --properties only to taps that read nothing else', () => {
    expect(catalogArgs(['properties', 'discover', 'state'])).toEqual(['--properties', 'catalog.json']);
    expect(catalogArgs(['catalog', 'properties', 'discover'])).toEqual(['--catalog', 'catalog.json']);
    expect(catalogArgs(undefined)).toEqual(['--catalog', 'catalog.json']);
  });
});
