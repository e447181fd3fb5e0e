import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOsPipe } from './os-pipe.js';
import { venvPython } from './project.js';

/** The pipe's capacity, as the kernel reports it (F_GETPIPE_SZ) for the fd given as stdin. */
function pipeBytes(fd: number): number {
  const r = spawnSync(venvPython, ['-c', 'import fcntl; print(fcntl.fcntl(0, 1032))'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
  return Number(r.stdout.trim());
}

describe('openOsPipe', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'sluice-os-pipe-test-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('gives both ends of a pipe and leaves no file behind', async () => {
    const pipe = await openOsPipe(folder);
    expect(pipe).toBeDefined();
    expect(await readdir(folder)).toEqual([]);
    writeSync(pipe!.write, 'hello\n');
    closeSync(pipe!.write);
    const buffer = Buffer.alloc(16);
    expect(buffer.subarray(0, readSync(pipe!.read, buffer)).toString()).toBe('hello\n');
    // No other writer is left (the read-write fd was closed): the reader sees EOF.
    expect(readSync(pipe!.read, buffer)).toBe(0);
    closeSync(pipe!.read);
  });

  it('asks for a 1 MiB pipe, not the 64 KiB one a pipe starts with', async () => {
    const pipe = await openOsPipe(folder);
    expect(pipeBytes(pipe!.read)).toBe(1 << 20);
    expect(pipeBytes(pipe!.write)).toBe(1 << 20);
    closeSync(pipe!.read);
    closeSync(pipe!.write);
  });

  it('gives nothing when the FIFO cannot be made', async () => {
    const missing = path.join(folder, 'missing');
    expect(await openOsPipe(missing)).toBeUndefined();
    expect(existsSync(missing)).toBe(false);
  });
});
