import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTable } from '../source-table.js';
import { startStack, waitForRun, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, launchBrowser, screenshot, signIn } from './harness.js';

/**
 * A pipeline made through the API (two syncs, so it has saved progress to roll back to), then
 * looked after in the browser alone: pause and resume from the list, change a table's sync mode,
 * roll back with the dialog, run now. Every page and dialog is photographed and checked by
 * axe-core (no serious or critical finding); each change is checked through the API too.
 */
describe('pipelines in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let pipelineId: string;
  const name = 'Shop orders nightly';
  const problems: Record<string, string[]> = {};
  const check = async (shot: string) => {
    await screenshot(page, shot);
    problems[shot] = await accessibilityProblems(page);
  };
  type PipelineBody = { id: string; enabled: boolean; streams: Array<{ stream: string; sync_mode: string; replication_key?: string }> };
  const pipeline = async () => (await stack.api<PipelineBody>('GET', `/pipelines/${pipelineId}`)).body;
  const sync = async () => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await waitForRun(stack, started.body.run_id)).status).toBe('succeeded');
  };

  beforeAll(async () => {
    stack = await startStack({ workers: 1, web: true });
    source = await sourceTable(stack.env.DATABASE_URL, 100);
    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'Shop database', plugin: 'tap-postgres', config: source.config });
    expect(connector.status).toBe(201);
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connector.body.id}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
    const created = await stack.api<PipelineBody>('POST', '/pipelines', {
      name,
      source_connector_id: connector.body.id,
      streams: [{ stream: source.stream, sync_mode: 'incremental_deduped', replication_key: 'updated_at' }],
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    pipelineId = created.body.id;
    await sync();
    await source.insert(101, 110);
    await sync();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await source?.drop();
    await stack?.stop();
  });

  it('pauses, resumes, changes a sync mode, rolls back with the dialog and runs now', async () => {
    const person = await createPerson(stack, 'admin');
    await signIn(page, stack.baseUrl, person);
    await page.getByRole('link', { name: 'Pipelines' }).click();
    const card = page.getByTestId('pipeline-card').filter({ hasText: name });
    await card.getByTestId('pipeline-last-run').waitFor();
    expect(await card.getByTestId('pipeline-schedule').innerText()).toBe('Every night at 02:00, Europe/Berlin');
    await card.getByTestId('pipeline-next-runs').waitFor();
    await check('pipelines-01-list');

    // Pause and resume from the list.
    await card.getByRole('button', { name: `Pause ${name}` }).click();
    await card.getByTestId('pipeline-paused').waitFor();
    await card.getByRole('button', { name: `Resume ${name}` }).waitFor();
    expect((await pipeline()).enabled).toBe(false);
    await check('pipelines-02-paused');
    await card.getByRole('button', { name: `Resume ${name}` }).click();
    await card.getByRole('button', { name: `Pause ${name}` }).waitFor();
    expect(await card.getByTestId('pipeline-paused').count()).toBe(0);
    expect((await pipeline()).enabled).toBe(true);

    // The detail page: change the table's sync mode.
    await card.getByRole('link', { name, exact: true }).click();
    await page.getByTestId('pipeline-page').waitFor();
    await page.getByTestId('state-entry').nth(1).waitFor();
    await page.getByTestId('run-history-row').nth(1).waitFor();
    await check('pipelines-03-detail');
    const table = page.locator(`[data-testid="pipeline-table"][data-stream="${source.stream}"]`);
    await table.getByRole('button', { name: /Change how it syncs/ }).click();
    await table.getByLabel('How to sync').selectOption('incremental_append');
    expect(await table.getByLabel('How to find new and changed rows').inputValue()).toBe('column:updated_at');
    await check('pipelines-04-table-editor');
    await table.getByRole('button', { name: 'Save' }).click();
    await page.locator(`[data-testid="pipeline-table"][data-stream="${source.stream}"][data-sync-mode="incremental_append"]`).waitFor();
    expect((await pipeline()).streams).toEqual([expect.objectContaining({ stream: source.stream, sync_mode: 'incremental_append', replication_key: 'updated_at' })]);

    // Roll back to after the first sync, through the confirm dialog.
    const first = page.locator('[data-testid="state-entry"][data-source="sync"]').nth(1);
    await first.getByRole('button', { name: /Roll back to after this sync/ }).click();
    const dialog = page.getByRole('dialog', { name: /Roll back to after the sync of/ });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/reads again every row added or changed since then/);
    expect(await dialog.innerText()).toMatch(/Nothing is deleted from your warehouse/);
    await check('pipelines-05-rollback-dialog');
    await dialog.getByRole('button', { name: 'Yes, roll back' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-testid="state-entry"][data-source="rollback"][data-pending="true"]').waitFor();
    const history = await stack.api<{ data: Array<{ source: string; pending: boolean }> }>('GET', `/pipelines/${pipelineId}/state`);
    expect(history.body.data[0]).toMatchObject({ source: 'rollback', pending: true });
    await check('pipelines-06-rolled-back');

    // Run now opens the run page; the sync starts from the rolled-back progress.
    await page.getByRole('button', { name: `Run now ${name}` }).click();
    await page.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 240_000 });
    const after = await stack.api<{ data: Array<{ source: string; pending: boolean }> }>('GET', `/pipelines/${pipelineId}/state`);
    expect(after.body.data.slice(0, 2)).toEqual([expect.objectContaining({ source: 'sync' }), expect.objectContaining({ source: 'rollback', pending: false })]);
    await page.goBack();
    await page.getByTestId('pipeline-page').waitFor();
    await page.locator('[data-testid="state-entry"][data-source="rollback"][data-pending="false"]').waitFor();
    await check('pipelines-07-after-run');

    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((k) => [k, []])));
  });

  it('shows a viewer the same pipeline without anything to change', async () => {
    const person = await createPerson(stack, 'viewer');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    await signIn(tab, stack.baseUrl, person);
    await tab.goto(`${stack.baseUrl}/pipelines/${pipelineId}`);
    await tab.getByTestId('pipeline-page').waitFor();
    await tab.getByTestId('state-entry').first().waitFor();
    for (const button of [/Run now/, /Pause|Resume/, /Delete pipeline/, /Change how it syncs/, /Change the schedule/, /Roll back/, /Start over/]) expect(await tab.getByRole('button', { name: button }).count()).toBe(0);
    page = tab;
    await check('pipelines-08-viewer');
    expect(problems['pipelines-08-viewer']).toEqual([]);
    await context.close();
  });
});
