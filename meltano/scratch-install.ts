// TEMPORARY (replaced by meltano/plugin-install.ts installPackage at merge).
import { execa } from 'execa';
import path from 'node:path';
import { projectRoot } from './project.js';

const uv = path.join(projectRoot, '.venv', 'bin', 'uv');
const python = path.join(projectRoot, '.venv', 'bin', 'python3');

export async function installPackage({ venvDir, pipUrl, onLine }: { venvDir: string; pipUrl: string; onLine: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  const env = { ...process.env, UV_PYTHON_DOWNLOADS: 'never' } as Record<string, string>;
  for (const args of [['venv', '--quiet', '--python', python, venvDir], ['pip', 'install', '--python', path.join(venvDir, 'bin', 'python'), pipUrl]]) {
    const r = await execa(uv, args, { env, extendEnv: false, reject: false, all: true });
    for (const line of (r.all ?? '').split('\n')) if (line.trim()) onLine(line);
    if (r.exitCode !== 0) throw new Error(`Could not install ${pipUrl}: ${(r.all ?? '').trim().split('\n').filter((l) => /error|not found|no solution|because/i.test(l)).slice(0, 3).join(' ') || `uv exit ${r.exitCode}`}`);
  }
}
