import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../meltano/project.js';

/**
 * The Dockerfile copies the whole build context (`COPY . .`): after a local `npm run up`,
 * that context holds the master key, the owner's password and token and Postgres data under
 * .data/. .dockerignore must keep every one of them out of the image's layers.
 */
const patterns = readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

// Docker also ignores a path when a parent folder matches; check the path and each parent.
const ignored = (file: string) => {
  const parts = file.split('/');
  return parts.some((_, i) => patterns.some((pattern) => !pattern.startsWith('!') && path.matchesGlob(parts.slice(0, i + 1).join('/'), pattern)));
};

describe('.dockerignore', () => {
  it.each([
    '.data/master.key',
    '.data/owner.password',
    '.data/owner.token',
    '.data/postgres/base/1/1259',
    '.data/clickhouse/data/default/t/data.bin',
    '.data/test-logs/t1-worker-0.log',
    'files/acme/orders.jsonl',
    '.env',
    'web/.env.local',
    '.git/config',
    'node_modules/hono/package.json',
    '.venv/bin/meltano',
    '.meltano/extractors/tap-postgres/venv/bin/tap-postgres',
    'server.key',
    // built inside the image from the sources: a local build could bring stale modules
    'dist/server/main.js',
    'meltano/target-clickhouse/dist/main.js',
    'meltano/tap-sluice-postgres/dist/main.js',
  ])('keeps %s out of the image', (file) => {
    expect(ignored(file)).toBe(true);
  });

  it.each(['server/main.ts', 'core/env.ts', 'meltano.yml', 'package.json', 'web/src/App.tsx', 'meltano/target-clickhouse/main.ts'])('still sends %s', (file) => {
    expect(ignored(file)).toBe(false);
  });
});
