import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTable } from '../source-table.js';
import { readSse, startStack, waitForRun, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, launchBrowser, screenshot, signIn } from './harness.js';

describe('the run page when the connection drops mid-run', () => {
  let stack: Stack;
  let browser: Browser;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  beforeAll(async () => {
    stack = await startStack({ workers: 1, web: true });
    source = await sourceTable(stack.env.DATABASE_URL, 150_000);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await source?.drop();
    await stack?.stop();
  });

  it('resumes the live log from where it was, with every line once, and stops at the end', async () => {
    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'big', plugin: 'tap-postgres', config: source.config });
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: 'big', source_connector_id: connector.body.id, streams: [{ stream: source.stream }] });
    const runId = (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, stack.baseUrl, await createPerson(stack, 'viewer'));
    const logRequests: Array<Promise<string>> = [];
    page.on('request', (request) => {
      if (!request.url().includes(`/runs/${runId}/logs`)) return;
      logRequests.push(request.allHeaders().then((h) => h['last-event-id'] ?? new URL(request.url()).searchParams.get('after') ?? ''));
    });
    await page.goto(`${stack.baseUrl}/runs/${runId}`);
    const lines = page.getByTestId('log-line');
    await expect.poll(() => lines.count(), { timeout: 120_000 }).toBeGreaterThan(3);
    expect(await page.getByTestId('run-status').getAttribute('data-status')).toBe('running');
    const before = await lines.count();

    stack.dropConnections();
    await page.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 240_000 });
    await page.locator('[data-testid="log-status"][data-connection="ended"]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'run-log-resumed');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Every log line the server holds, once each, in order.
    await waitForRun(stack, runId);
    const all = await readSse(`${stack.baseUrl}/api/v1/runs/${runId}/logs`, stack.token);
    const expected = all.events.filter((e) => e.event === 'log').map((e) => e.id);
    const shown = await lines.evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
    expect(shown.length).toBeGreaterThan(before);
    // The page really lost its stream and came back asking for what followed its last line.
    expect(logRequests.length).toBeGreaterThanOrEqual(2);
    const resumedFrom = await Promise.all(logRequests);
    expect(resumedFrom.slice(1).filter((id) => id === '')).toEqual([]);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(expected);
    await page.close();
  });
});
