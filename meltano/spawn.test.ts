import { describe, expect, it } from 'vitest';
import { spawnInGroup } from './spawn.js';

const env = { PATH: '/usr/bin:/bin' };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('spawnInGroup', () => {
  it('keeps what a child prints before the spawn callback resolves', async () => {
    // The child prints its only line and exits while onSpawn (e.g. recording its process group) still runs.
    for (let i = 0; i < 3; i += 1) {
      const lines: string[] = [];
      const result = await spawnInGroup('/bin/sh', ['-c', 'echo "cannot connect: boom" >&2; exit 3'], '/', {
        env,
        onLine: (line, from) => void lines.push(`${from}: ${line}`),
        onSpawn: () => sleep(300),
      });
      expect(result).toMatchObject({ exitCode: 3, cancelled: false, timedOut: false });
      expect(lines).toEqual(['stderr: cannot connect: boom']);
    }
  });

  it('says plainly that a program could not be started, instead of throwing', async () => {
    const lines: string[] = [];
    let spawned = false;
    const result = await spawnInGroup('/nonexistent/tap-missing', [], '/', { env, onLine: (line) => void lines.push(line), onSpawn: () => void (spawned = true) });
    expect(result).toEqual({ exitCode: 127, timedOut: false, cancelled: false, signal: undefined });
    expect(spawned).toBe(false);
    expect(lines).toEqual(['ERROR tap-missing could not be started (ENOENT): is it installed on this worker?']);
  });
});
