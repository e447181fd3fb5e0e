import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { provisionDemoSource } from '../../scripts/demo-source.js';
import { sourceDatabaseUrl } from '../../scripts/local-env.js';
import { sourceTable } from '../source-table.js';
import { startStack, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, launchBrowser, pluginOfConnection, saveMeasurement, screenshot, signIn, sourceCard } from './harness.js';

/**
 * A first-time user adds the demo PostgreSQL source through the wizard alone (the catalog's
 * "PostgreSQL": the built-in source, tap-sluice-postgres), in Debian's
 * Chromium against the real API, worker, PostgreSQL and ClickHouse: every page and step is
 * photographed and checked by axe-core (no serious or critical finding).
 */
describe('the add-integration wizard in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let demo: Awaited<ReturnType<typeof provisionDemoSource>>;
  const problems: Record<string, string[]> = {};
  const check = async (name: string) => {
    await screenshot(page, name);
    problems[name] = await accessibilityProblems(page);
  };

  beforeAll(async () => {
    stack = await startStack({ workers: 1, web: true });
    source = await sourceTable(stack.env.DATABASE_URL, 250);
    // The demo shop `npm run up` makes: what a first-time user following the README syncs.
    demo = await provisionDemoSource(sourceDatabaseUrl());
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await source?.drop();
    await stack?.stop();
  });

  it('takes a new user from sign-in to a finished sync of the demo shop with its row counts', async () => {
    const person = await createPerson(stack);
    const sql = postgres(demo.url, { max: 1 });
    const [{ n: customers }] = (await sql`select count(*)::int as n from customers`) as unknown as [{ n: number }];
    await sql.end();
    const startedAt = Date.now();
    let syncMs = 0;
    await page.goto(stack.baseUrl);
    await check('01-sign-in');
    await signIn(page, stack.baseUrl, person);
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await check('02-connections-empty');

    await page.getByRole('button', { name: 'Add integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add integration' });
    await dialog.getByRole('heading', { name: 'Choose a source' }).waitFor();
    await check('03-wizard-choose-source');
    await dialog.getByLabel('Search sources').fill('postgre');
    // The default comes first; the change-log source after it.
    expect(await dialog.getByRole('listitem').getByRole('button').allInnerTexts()).toEqual([expect.stringMatching(/^PostgreSQL\n/), expect.stringMatching(/^PostgreSQL \(change log\)\n/)]);
    await check('03b-wizard-search-postgresql');
    await sourceCard(dialog, 'PostgreSQL').click();

    await dialog.getByRole('heading', { name: 'Settings' }).waitFor();
    await dialog.getByLabel(/Connection name/).fill('Demo database');
    await dialog.locator('#field-host').fill(demo.host);
    await dialog.locator('#field-port').fill(String(demo.port));
    await dialog.locator('#field-user').fill(demo.user);
    await dialog.locator('#field-password').fill('any password: this server trusts 127.0.0.1');
    await dialog.locator('#field-database').fill(demo.database);
    await check('04-wizard-settings');
    await dialog.getByRole('button', { name: 'Next' }).click();

    await dialog.getByRole('heading', { name: 'Test connection' }).waitFor();
    await check('05-wizard-testing');
    await dialog.getByText('The connection works').waitFor({ timeout: 120_000 });
    for (const stage of ['settings', 'network', 'discovery', 'first_record']) expect(await dialog.getByTestId(`stage-${stage}`).getAttribute('data-state')).toBe('passed');
    expect(await pluginOfConnection(stack, 'Demo database')).toBe('tap-sluice-postgres');
    await check('06-wizard-tested');
    await dialog.getByRole('button', { name: 'Next' }).click();

    await dialog.getByRole('heading', { name: 'Choose data' }).waitFor();
    await dialog.getByLabel('Search tables').fill('customers');
    await dialog.getByLabel('public-customers', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Preview public-customers' }).click();
    await dialog.getByRole('region', { name: 'First rows of public-customers' }).waitFor({ timeout: 120_000 });
    await check('07-wizard-choose-data');
    await dialog.getByRole('button', { name: 'Next' }).click();

    await dialog.getByRole('heading', { name: 'Schedule' }).waitFor();
    await dialog.getByLabel('Every night').check();
    await expect.poll(() => dialog.getByTestId('schedule-summary').innerText()).toMatch(/02:00/);
    await check('08-wizard-schedule');
    await dialog.getByRole('button', { name: 'Next' }).click();

    await dialog.getByRole('heading', { name: 'Review' }).waitFor();
    await check('09-wizard-review');
    const syncStarted = Date.now();
    await dialog.getByRole('button', { name: 'Create and run now' }).click();

    await page.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 240_000 });
    syncMs = Date.now() - syncStarted;
    await expect.poll(() => page.getByTestId('run-rows-loaded').innerText()).toMatch(new RegExp(`\\b${customers.toLocaleString('en-US')}\\b`));
    await check('10-run-finished');

    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByTestId('pipeline-card').first().waitFor();
    await check('11-pipelines');
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Add an integration' }).waitFor();
    await check('12-catalog');

    const wallMs = Date.now() - startedAt;
    await saveMeasurement('wizard-timing', { wallMs, syncMs, withoutSyncMs: wallMs - syncMs });
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((k) => [k, []])));
  });

  it('lets the user edit a connection (secrets never shown), test it again, and refuses to delete one a pipeline uses', async () => {
    await page.getByRole('link', { name: 'Connections' }).click();
    const card = page.getByTestId('connection-card').filter({ hasText: 'Demo database' });
    await card.getByText('Working').waitFor();
    await card.getByRole('button', { name: 'Edit settings of Demo database' }).click();
    const edit = page.getByRole('dialog', { name: /Settings of/ });
    expect(await edit.locator('#field-password').inputValue()).toBe('');
    expect(await edit.locator('#field-host').inputValue()).toBe(demo.host);
    await edit.locator('#edit-connection-name').fill('Demo database (edited)');
    await check('15-connection-edit');
    await edit.getByRole('button', { name: 'Save settings' }).click();
    await edit.waitFor({ state: 'hidden' });
    const edited = page.getByTestId('connection-card').filter({ hasText: 'Demo database (edited)' });
    await edited.getByRole('button', { name: /Test again/ }).click();
    await edited.getByText('Working').waitFor({ timeout: 120_000 });
    await edited.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: /Delete/ });
    await check('16-connection-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete connection' }).click();
    await confirm.getByRole('alert').waitFor();
    expect(await confirm.getByRole('alert').innerText()).toMatch(/pipeline/i);
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    for (const name of ['15-connection-edit', '16-connection-delete-confirm']) expect(problems[name]).toEqual([]);
  });

  it('stops at the stage that fails for a wrong password, and takes the user back to the password field', async () => {
    const person = await createPerson(stack, 'admin');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    await signIn(tab, stack.baseUrl, person);
    await tab.getByRole('button', { name: 'Add integration' }).click();
    const dialog = tab.getByRole('dialog', { name: 'Add integration' });
    await sourceCard(dialog, 'PostgreSQL').click();
    await dialog.getByLabel(/Connection name/).fill('Wrong password');
    await dialog.locator('#field-host').fill(source.config.host);
    await dialog.locator('#field-port').fill(String(source.config.port));
    // A login the sources' PostgreSQL checks the password of (setup adds it; the rest trusts 127.0.0.1).
    await dialog.locator('#field-user').fill('sluice_password_login');
    await dialog.locator('#field-password').fill('not-the-password');
    await dialog.locator('#field-database').fill('postgres');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByText(/rejected the credentials/).first().waitFor({ timeout: 120_000 });
    const states = await Promise.all(['settings', 'network', 'discovery', 'first_record'].map((s) => dialog.getByTestId(`stage-${s}`).getAttribute('data-state')));
    expect(states.slice(0, 2)).toEqual(['passed', 'passed']);
    expect(states).toContain('failed');
    expect(await pluginOfConnection(stack, 'Wrong password')).toBe('tap-sluice-postgres');
    expect(await dialog.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    page = tab;
    await check('13-wizard-test-failed');
    await dialog.getByRole('button', { name: 'Fix the settings' }).click();
    await dialog.getByRole('heading', { name: 'Settings' }).waitFor();
    const password = dialog.locator('#field-password');
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => password.evaluate((el) => el === document.activeElement)).toBe(true);
    await check('14-wizard-password-highlighted');
    expect(problems['13-wizard-test-failed']).toEqual([]);
    expect(problems['14-wizard-password-highlighted']).toEqual([]);
    await context.close();
  });
});

