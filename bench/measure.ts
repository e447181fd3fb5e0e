import { execa } from 'execa';

export type Measurement = { wallSeconds: number; cpuSeconds: number; maxRssMb: number; exitCode: number; stderr: string };

// Python's getrusage(RUSAGE_CHILDREN) gives CPU time and peak RSS of the whole child tree
// once it has been waited for; Node has no such call.
const WRAPPER = `
import json, resource, subprocess, sys, time
stdin = open(sys.argv[1], 'rb') if sys.argv[1] != '-' else subprocess.DEVNULL
t = time.monotonic()
p = subprocess.run(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": u.ru_utime + u.ru_stime, "rss_kb": u.ru_maxrss, "code": p.returncode, "stderr": p.stderr.decode(errors="replace")[-4000:]}))
`;

/** Runs `command` with `stdinFile` as its input; wall time, CPU seconds and peak RSS of its process tree. */
export async function measure(command: string[], stdinFile: string | '-', env?: Record<string, string>): Promise<Measurement> {
  const { stdout } = await execa('python3', ['-c', WRAPPER, stdinFile, ...command], { ...(env ? { env } : {}) });
  const r = JSON.parse(stdout) as { wall: number; cpu: number; rss_kb: number; code: number; stderr: string };
  return { wallSeconds: r.wall, cpuSeconds: r.cpu, maxRssMb: r.rss_kb / 1024, exitCode: r.code, stderr: r.stderr };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
