import { spawn } from 'node:child_process';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * A lock shared by every process on this machine, one per lock file: flock(2) on the file,
 * taken for us by the `flock` command (util-linux) on a descriptor we hold open. The lock
 * belongs to that open file, so it lasts exactly as long as we (or a child we hand the
 * descriptor to) keep it open, and the kernel releases it when the holder dies, however it
 * dies: a killed worker never leaves a lock behind.
 */
export type HeldLock = {
  /** The open descriptor: pass it to a child process that must hold the lock while it runs. */
  fd: number;
  release(): Promise<void>;
};

export type LockResult = { ok: true; lock: HeldLock } | { ok: false; reason: 'cancelled' | 'timed-out' };

/** Exit code we ask `flock` to use when the lock is taken (-n) or the wait ran out (-w). */
const CONFLICT = 75;

/** Runs `flock <flags> 3` on our descriptor; resolves with its exit code (null when stopped by `signal`). */
function flock(handle: FileHandle, flags: string[], signal: AbortSignal | undefined): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [...flags, '-E', String(CONFLICT), '3'], { stdio: ['ignore', 'ignore', 'pipe', handle.fd] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new Error(error.code === 'ENOENT' ? 'the flock command (Debian package util-linux) is missing on this machine' : `flock could not start: ${error.message}`, { cause: error }));
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (code !== null && code !== 0 && code !== CONFLICT) reject(new Error(`flock failed (exit ${code}): ${stderr.trim()}`));
      else resolve(code);
    });
  });
}

/**
 * Takes the lock in `file` (created if missing). When another process holds it, `onWait` is
 * called once and we wait, up to `maxWaitMs`, or until `signal` aborts.
 *
 * @example
 * const got = await acquireLock('/srv/sluice/.meltano/extractors/tap-x/install.lock', { onWait: () => log('waiting…') });
 * if (got.ok) try { … } finally { await got.lock.release(); }
 */
export async function acquireLock(file: string, options: { onWait?: () => void; signal?: AbortSignal | undefined; maxWaitMs: number }): Promise<LockResult> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  const handle = await open(file, 'a', 0o600);
  const lock: HeldLock = { fd: handle.fd, release: () => handle.close() };
  try {
    if (!options.signal?.aborted) {
      if ((await flock(handle, ['-x', '-n'], undefined)) === 0) return { ok: true, lock };
      options.onWait?.();
      const waited = await flock(handle, ['-x', '-w', String(Math.max(1, Math.ceil(options.maxWaitMs / 1000)))], options.signal);
      if (waited === 0) return { ok: true, lock };
    }
    await handle.close();
    return { ok: false, reason: options.signal?.aborted ? 'cancelled' : 'timed-out' };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
