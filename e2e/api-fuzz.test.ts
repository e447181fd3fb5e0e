import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../meltano/project.js';
import { dataDir } from '../scripts/local-env.js';
import { startStack, type Stack } from './stack.js';

/**
 * Schema-driven fuzzing of every route in our OpenAPI document with schemathesis (from
 * PyPI, installed by setup.sh into .venv-fuzz): valid and invalid bodies, queries, ids and
 * headers, NUL bytes included, as the tenant's owner, on loopback only, for a bounded time.
 * Whatever it sends, the API must never answer 5xx.
 */
const schemathesis = path.join(projectRoot, '.venv-fuzz', 'bin', 'st');
const MAX_SECONDS = Number(process.env.FUZZ_SECONDS ?? 90);

describe('API fuzzing from the OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workers: 0 });
    // Some real resources, so routes taking ids also see ids that exist.
    await stack.api('POST', '/connectors', { name: 'fuzz-files', plugin: 'tap-jsonl', config: { path: 'orders.jsonl', stream_name: 'orders' } });
  });
  afterAll(async () => stack?.stop());

  it('answers no request with a server error', { timeout: (MAX_SECONDS + 120) * 1000 }, async () => {
    expect(existsSync(schemathesis), `${schemathesis} is missing: run scripts/setup.sh`).toBe(true);
    const reportDir = path.join(dataDir, 'test-logs', `fuzz-${stack.env.SLUICE_QUEUE_PREFIX}`);
    await mkdir(reportDir, { recursive: true });
    const result = await execa(
      schemathesis,
      [
        'run',
        `${stack.baseUrl}/api/v1/openapi.json`,
        '--url', `${stack.baseUrl}/api/v1`,
        '--checks', 'not_a_server_error',
        '--max-time', String(MAX_SECONDS),
        '--workers', '1',
        '--generation-allow-x00', 'true',
        '--generation-database', 'none',
        '--request-timeout', '20',
        '--header', `Authorization: Bearer ${stack.token}`,
        '--report', 'ndjson',
        '--report-dir', reportDir,
        '--no-color',
      ],
      { cwd: reportDir, reject: false, all: true, env: { SCHEMATHESIS_HOOKS: '', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' } },
    );
    const reports = (await readdir(reportDir)).filter((name) => name.endsWith('.ndjson'));
    const events = (await Promise.all(reports.map((name) => readFile(path.join(reportDir, name), 'utf8')))).join('\n');
    const serverErrors = events
      .split('\n')
      .filter((line) => /"status_code":\s*5\d\d/.test(line)).length;
    // The whole output goes to the failure message: it names each failing operation and how to reproduce it.
    expect(result.exitCode, result.all).toBe(0);
    expect(serverErrors, result.all).toBe(0);
    expect(reports.length, 'schemathesis wrote no report').toBeGreaterThan(0);
  });
});
