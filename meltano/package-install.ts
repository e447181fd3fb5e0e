import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { installEnv, uvBin, venvPython } from './project.js';
import { spawnInGroup, type SpawnResult } from './spawn.js';
import { explainUvFailure } from './uv-failure.js';

export type InstallLevel = 'info' | 'warning' | 'error';
/** Every line uv prints, with the level it has: its `error:` block (and the causes under it) is an error. */
export type InstallLine = (line: string, level: InstallLevel) => void;
/** `message`: why, in plain words (uv's own lines went to onLine); `transient`: trying later may pass (PyPI unreachable). */
export type InstallOutcome = { ok: true } | { ok: false; message: string; transient: boolean; cancelled: boolean };

/** Long enough for a tap with heavy dependencies on a slow link; an install never runs unbounded. */
export const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * A pip_url's requirements, split on spaces as Meltano does (`a==1 b==2` is two). Undefined
 * when it is empty or holds an option (`--index-url …`, `-e …`): a pip_url names packages,
 * nothing else reaches uv's command line.
 */
export function requirementsOf(pipUrl: string): string[] | undefined {
  const parts = pipUrl.trim().split(/\s+/).filter(Boolean);
  return parts.length > 0 && parts.every((part) => !part.startsWith('-')) ? parts : undefined;
}

/** Levels uv's lines as they stream: an `error:` line and the indented causes under it are errors. */
function uvLineLeveller() {
  let inError = false;
  return (line: string): InstallLevel => {
    if (/^\s*(?:error:|×)/.test(line)) inError = true;
    else if (/^\S/.test(line) && !/^\s*(?:cause:|hint:)/.test(line)) inError = false;
    if (inError) return /^\s*hint:/.test(line) ? 'info' : 'error';
    return /^\s*warning:/.test(line) ? 'warning' : 'info';
  };
}

async function uv(args: string[], cwd: string, input: { onLine: InstallLine; lines: string[]; signal?: AbortSignal | undefined; deadline: number; keepOpen?: number[] | undefined }): Promise<SpawnResult> {
  const level = uvLineLeveller();
  return spawnInGroup(uvBin, args, cwd, {
    env: installEnv(),
    signal: input.signal,
    timeoutMs: Math.max(1_000, input.deadline - Date.now()),
    ...(input.keepOpen ? { keepOpen: input.keepOpen } : {}),
    onLine: (line) => {
      input.lines.push(line);
      input.onLine(line, level(line));
    },
  });
}

/**
 * Makes a venv at `venvDir` (emptied first if it exists) from Meltano's own Python and installs
 * one pip_url into it with the uv Meltano ships, streaming uv's every line to `onLine`. The venv
 * is relocatable (its scripts find their Python relative to themselves), so it may be built
 * under one name and renamed into place. Knows nothing of Sluice's catalog or meltano.yml:
 * a scratch venv for reading a candidate plugin's `--about` is made the same way.
 * `keepOpen`: file descriptors uv inherits (a lock held for as long as uv runs, even past us).
 *
 * @example
 * const done = await installPackage({ venvDir: '/tmp/x/venv', pipUrl: 'tap-jsonl==0.3.1', onLine: (line) => console.log(line) });
 * if (!done.ok) console.error(done.message); // 'Could not install tap-jsonl==0.3.1: …'
 */
export async function installPackage(input: {
  venvDir: string;
  pipUrl: string;
  onLine: InstallLine;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Who the failure message names ("the PostgreSQL connector (…)"); the pip_url by default. */
  subject?: string | undefined;
  keepOpen?: number[] | undefined;
}): Promise<InstallOutcome> {
  const subject = input.subject ?? input.pipUrl;
  const requirements = requirementsOf(input.pipUrl);
  if (!requirements) return { ok: false, message: `Could not install ${subject}: its pip_url "${input.pipUrl}" is not a list of package requirements (write it as name==version, e.g. tap-foo==1.2.3).`, transient: false, cancelled: false };
  const timeoutMs = input.timeoutMs ?? INSTALL_TIMEOUT_MS;
  const run = { onLine: input.onLine, lines: [] as string[], signal: input.signal, deadline: Date.now() + timeoutMs, keepOpen: input.keepOpen };
  const parent = path.dirname(path.resolve(input.venvDir));
  await mkdir(parent, { recursive: true, mode: 0o755 });

  const failed = (result: SpawnResult): InstallOutcome | undefined => {
    if (result.exitCode === 0) return undefined;
    if (result.cancelled) return { ok: false, message: `The install of ${subject} was cancelled.`, transient: false, cancelled: true };
    if (result.timedOut) return { ok: false, message: `Could not install ${subject}: it took longer than ${Math.round(timeoutMs / 60_000)} minutes and was stopped. Sluice tries again.`, transient: true, cancelled: false };
    if (result.exitCode === 127) return { ok: false, message: `Could not install ${subject}: uv (${uvBin}) could not be started. Run the setup (npm run setup) on this machine.`, transient: false, cancelled: false };
    return { ok: false, ...explainUvFailure(run.lines, subject), cancelled: false };
  };
  const created = await uv(['venv', '--clear', '--relocatable', `--python=${venvPython}`, input.venvDir], parent, run);
  const notCreated = failed(created);
  if (notCreated) return notCreated;
  const installed = await uv(['pip', 'install', `--python=${path.join(input.venvDir, 'bin', 'python')}`, '--', ...requirements], parent, run);
  return failed(installed) ?? { ok: true };
}
