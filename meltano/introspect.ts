import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { normalisePackageName } from './pip-requirement.js';
import { pluginEnv } from './project.js';
import { withRunDir } from './run-dir.js';
import { killGroup } from './spawn.js';

/**
 * What an installed plugin says about itself: the programs its package installs, its
 * version, and — from the program — `--about --format=json` (Singer SDK plugins: settings
 * JSON Schema and capabilities) or, failing that, the flags its `--help` lists. The program
 * is the package's code, so it runs as any plugin does: its own folder and uid, an
 * environment of nothing of ours, a time limit.
 */
export type About = { name?: string; version?: string; sdk_version?: string; capabilities: string[]; settings: Record<string, unknown> };
export type Installed = { version: string; programs: string[] };

const OUTPUT_LIMIT = 8 * 1024 * 1024;
const TIME_LIMIT_MS = 60_000;

/** The installed distribution's version and console scripts, read from its dist-info (not from what else landed in bin/). */
export async function installedPackage(venvDir: string, packageName: string): Promise<Installed | undefined> {
  const lib = path.join(venvDir, 'lib');
  const pythons = await readdir(lib).catch(() => [] as string[]);
  for (const python of pythons) {
    const site = path.join(lib, python, 'site-packages');
    const entries = await readdir(site).catch(() => [] as string[]);
    const distInfo = entries.find((e) => e.endsWith('.dist-info') && normalisePackageName(e.replace(/-[^-]+\.dist-info$/, '')) === packageName);
    if (!distInfo) continue;
    const metadata = await readFile(path.join(site, distInfo, 'METADATA'), 'utf8').catch(() => '');
    const version = /^Version:\s*(\S+)/m.exec(metadata)?.[1] ?? distInfo.replace(/\.dist-info$/, '').split('-').at(-1)!;
    const entryPoints = await readFile(path.join(site, distInfo, 'entry_points.txt'), 'utf8').catch(() => '');
    return { version, programs: consoleScripts(entryPoints) };
  }
  return undefined;
}

/** The names under `[console_scripts]` in an entry_points.txt. */
export function consoleScripts(entryPoints: string): string[] {
  const programs: string[] = [];
  let inSection = false;
  for (const raw of entryPoints.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inSection = line === '[console_scripts]';
    else if (inSection && line.includes('=')) programs.push(line.split('=')[0]!.trim());
  }
  return programs;
}

type Output = { exitCode: number | null; stdout: string; stderr: string; timedOut: boolean };

/** Runs a plugin program with fixed arguments in a private folder (its own uid when we are root) and collects what it prints. */
export async function runPluginProgram(executable: string, args: string[], timeoutMs = TIME_LIMIT_MS): Promise<Output> {
  return withRunDir(async (run) => {
    const folder = await run.pluginFolder('introspect');
    return new Promise<Output>((resolve) => {
      const child = spawn(executable, args, {
        cwd: folder.path,
        env: pluginEnv(folder.path),
        ...(folder.uid === undefined ? {} : { uid: folder.uid, gid: folder.gid ?? folder.uid }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      if (child.pid !== undefined) void run.recordProcessGroup(child.pid);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size <= OUTPUT_LIMIT) into.push(chunk);
        else if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      }, timeoutMs);
      const finish = (exitCode: number | null) => {
        clearTimeout(timer);
        resolve({ exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
      };
      child.on('error', (error) => {
        err.push(Buffer.from(error.message));
        finish(127);
      });
      child.on('close', (code) => finish(code));
    });
  });
}

const lastLines = (text: string, n = 3) => text.trim().split('\n').slice(-n).join(' / ').slice(0, 500);

/** `--about --format=json`, checked for the shape Sluice reads; the reason in words when the program cannot say. */
export async function readAbout(executable: string): Promise<{ ok: true; about: About } | { ok: false; reason: string }> {
  const out = await runPluginProgram(executable, ['--about', '--format=json']);
  if (out.timedOut) return { ok: false, reason: 'it did not answer --about within a minute' };
  if (out.exitCode !== 0) return { ok: false, reason: `--about ended with exit code ${out.exitCode}${out.stderr.trim() ? `: ${lastLines(out.stderr)}` : ''}` };
  let parsed: unknown;
  try {
    // Some plugins log a line before the JSON: read from the first brace.
    parsed = JSON.parse(out.stdout.slice(Math.max(0, out.stdout.indexOf('{'))));
  } catch {
    return { ok: false, reason: '--about did not print JSON' };
  }
  const about = parsed as Partial<About>;
  if (typeof about !== 'object' || about === null || typeof about.settings !== 'object' || about.settings === null || Array.isArray(about.settings)) {
    return { ok: false, reason: '--about printed no settings schema' };
  }
  const capabilities = Array.isArray(about.capabilities) ? about.capabilities.filter((c): c is string => typeof c === 'string') : [];
  return { ok: true, about: { ...about, capabilities, settings: about.settings as Record<string, unknown> } };
}

/** The Singer flags a program's `--help` lists (`--config`, `--discover`, `--state`, `--catalog`, `--properties`, `--about`). */
export async function helpFlags(executable: string): Promise<{ flags: Set<string>; ran: boolean }> {
  const out = await runPluginProgram(executable, ['--help'], 30_000);
  const text = `${out.stdout}\n${out.stderr}`;
  const flags = new Set([...text.matchAll(/--(config|discover|state|catalog|properties|about)\b/g)].map((m) => m[1]!));
  return { flags, ran: out.exitCode === 0 || flags.size > 0 };
}
