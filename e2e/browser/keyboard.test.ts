import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTable } from '../source-table.js';
import { startStack, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, focusVisible, launchBrowser, pluginOfConnection, screenshot, tabTo } from './harness.js';

describe('the wizard with the keyboard only', () => {
  let stack: Stack;
  let browser: Browser;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  beforeAll(async () => {
    stack = await startStack({ workers: 1, web: true });
    source = await sourceTable(stack.env.DATABASE_URL, 20);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await source?.drop();
    await stack?.stop();
  });

  it('signs in, fills, tests, picks and schedules without a mouse; focus stays in the dialog; Escape keeps the draft', async () => {
    const person = await createPerson(stack);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(stack.baseUrl);
    await tabTo(page, { selector: '#email' });
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.type(person.email);
    await tabTo(page, { selector: '#password' });
    await page.keyboard.type(person.password);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    await tabTo(page, { selector: 'button', text: 'Add integration' });
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add integration' });
    await dialog.getByRole('heading', { name: 'Choose a source' }).waitFor();
    await tabTo(page, { selector: '#catalog-search' });
    await page.keyboard.type('postgre');
    // The first card holding "PostgreSQL": the built-in source ("PostgreSQL (change log)" comes after it).
    await tabTo(page, { selector: 'button', text: 'PostgreSQL' });
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('Enter');

    await dialog.getByRole('heading', { name: 'Settings' }).waitFor();
    const fill = async (selector: string, text: string) => {
      await tabTo(page, { selector });
      await page.keyboard.press('Control+A');
      await page.keyboard.type(text);
    };
    await fill('#connection-name', 'Keyboard source');
    await fill('#field-host', source.config.host);
    await fill('#field-port', String(source.config.port));
    await fill('#field-user', source.config.user);
    await fill('#field-database', source.config.database);
    await fill('#field-password', source.config.password);
    await page.keyboard.press('Enter'); // submits the step from a field, as forms do

    await dialog.getByText('The connection works').waitFor({ timeout: 120_000 });
    expect(await pluginOfConnection(stack, 'Keyboard source')).toBe('tap-sluice-postgres');
    await tabTo(page, { selector: 'button[type=submit]', text: 'Next' });
    await page.keyboard.press('Enter');

    await dialog.getByRole('heading', { name: 'Choose data' }).waitFor();
    await fill('#stream-search', source.table);
    await tabTo(page, { selector: '[data-testid=stream-choice] input[type=checkbox]' });
    const ticked = () => page.evaluate(() => (document.activeElement as HTMLInputElement).checked);
    await page.keyboard.press('Space');
    // A source whose only table this is (the built-in source lists no system tables) has it ticked
    // already, so Space just unticked it: Space ticks it again.
    if (!(await ticked())) await page.keyboard.press('Space');
    expect(await ticked()).toBe(true);
    await tabTo(page, { selector: 'button[type=submit]', text: 'Next' });
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Schedule' }).waitFor();
    await tabTo(page, { selector: 'button[type=submit]', text: 'Next' });
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Review' }).waitFor();

    // Focus is trapped: however often Tab is pressed, it stays inside the dialog.
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null)).toBe(true);
    }
    await screenshot(page, 'keyboard-review');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Escape closes it, focus goes back to where it came from, and reopening resumes the draft.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`)).toBe('BUTTON Add integration');
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Review' }).waitFor();
    await page.close();
  });
});
