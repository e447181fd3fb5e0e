import { readdir, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type RunProcess = { pid: number; uid: number; cwd: string; environ: string; cmdline: string };

/**
 * Every process whose working folder is inside a run folder of the worker `workerPid`: the
 * taps and targets of its runs. (Their command lines need not name the run folder, so
 * `pgrep -f sluice-run-…` finds nothing even while they run.)
 */
export async function runProcesses(workerPid: string): Promise<RunProcess[]> {
  const found: RunProcess[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
    if (!cwd.startsWith(path.join(tmpdir(), `sluice-run-${workerPid}-`))) continue;
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    found.push({
      pid: Number(name),
      uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]),
      cwd,
      environ: (await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '')).replaceAll('\0', '\n'),
      cmdline: (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' '),
    });
  }
  return found;
}
