import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAlive, isolatesPlugins } from './plugin-uids.js';
import { withRunDir } from './run-dir.js';

describe('withRunDir', () => {
  it.skipIf(!isolatesPlugins())('kills what each plugin uid left running outside its process group, and removes the folder', async () => {
    const left: number[] = [];
    let folderPath = '';
    await withRunDir(async (run) => {
      folderPath = run.path;
      for (const role of ['tap', 'target']) {
        const folder = await run.pluginFolder(role);
        // A daemon of its own session: no process group of the run holds it, only its uid does.
        const child = spawn('/bin/sleep', ['600'], { uid: folder.uid, gid: folder.gid, detached: true, stdio: 'ignore', cwd: folder.path });
        child.unref();
        left.push(child.pid!);
      }
      expect(left.every(isAlive)).toBe(true);
    });
    // SIGKILLed at once; a zombie waits for us to reap it, so wait a moment for exit.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const state = (pid: number) => (existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : 'gone');
    for (const pid of left) expect(state(pid)).toMatch(/gone|State:\s+Z/);
    expect(existsSync(folderPath)).toBe(false);
  });
});
