import { readFile } from 'node:fs/promises';

/**
 * Peak resident memory (MB) of a process's descendants, by what they are, sampled while it runs.
 * `totalMb` sums each process's RSS, which counts pages they share (the node binary's code,
 * some 40 MB, is mapped by every Node process) once per process; `ownMb` counts every page
 * once: each process's private pages plus the largest shared set among them.
 */
export type MemoryPeaks = { tapMb: number; targetMb: number; totalMb: number; ownMb: number; workerMb: number; samples: number };

const PAGE_KB = 4;

async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim() ? text.trim().split(/\s+/).map(Number) : [];
}

async function rssKb(pid: number): Promise<number> {
  const statm = await readFile(`/proc/${pid}/statm`, 'utf8').catch(() => '');
  return Number(statm.split(' ')[1] ?? 0) * PAGE_KB;
}

/** Private and shared resident kB of a process (smaps_rollup). */
async function pagesKb(pid: number): Promise<{ private: number; shared: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { private: field('Private_Clean') + field('Private_Dirty'), shared: field('Shared_Clean') + field('Shared_Dirty') };
}

/** Every process below `pid` (children, their children, …). */
async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const child of await childrenOf(pid)) found.push(child, ...(await descendants(child)));
  return found;
}

/**
 * Samples the process tree below `rootPid` (a worker) every `everyMs` until `stop()`: the
 * worker's direct children are its plugin processes (each in a group of its own); a child
 * whose command line names a tap counts as tap, one naming a target as target, with all of
 * their own descendants. Peaks are of the sum at one instant, not sums of peaks.
 */
export function sampleTreeMemory(rootPid: number, everyMs = 100) {
  const peaks: MemoryPeaks = { tapMb: 0, targetMb: 0, totalMb: 0, ownMb: 0, workerMb: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      let tap = 0;
      let target = 0;
      let privateKb = 0;
      let sharedKb = 0;
      for (const child of await childrenOf(rootPid)) {
        const cmdline = (await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
        let kb = 0;
        for (const pid of [child, ...(await descendants(child))]) {
          kb += await rssKb(pid);
          const pages = await pagesKb(pid);
          privateKb += pages.private;
          sharedKb = Math.max(sharedKb, pages.shared);
        }
        if (/\btarget-/.test(cmdline)) target += kb;
        else if (/\btap-/.test(cmdline)) tap += kb;
      }
      peaks.tapMb = Math.max(peaks.tapMb, tap / 1024);
      peaks.targetMb = Math.max(peaks.targetMb, target / 1024);
      peaks.totalMb = Math.max(peaks.totalMb, (tap + target) / 1024);
      peaks.ownMb = Math.max(peaks.ownMb, (privateKb + sharedKb) / 1024);
      peaks.workerMb = Math.max(peaks.workerMb, (await rssKb(rootPid)) / 1024);
      peaks.samples += 1;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop(): Promise<MemoryPeaks> {
      running = false;
      await loop;
      return peaks;
    },
  };
}
