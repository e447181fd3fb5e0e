import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, launchBrowser, screenshot, signIn } from './harness.js';

/**
 * An owner runs the Settings page in Debian's Chromium against the real API: invites someone
 * (the link shown once), creates an API token (shown once), revokes it, filters the audit log;
 * the invitee accepts in another browser and lands signed in; an admin is told why an owner's
 * token is not theirs to revoke. Every step is photographed and checked by axe-core.
 */
describe('the settings page in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const problems: Record<string, string[]> = {};
  const check = async (on: Page, name: string) => {
    await screenshot(on, name);
    problems[name] = await accessibilityProblems(on);
  };
  const newPage = async () => (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();

  beforeAll(async () => {
    stack = await startStack({ workers: 0, web: true });
    browser = await launchBrowser();
    page = await newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  let invitationLink = '';
  const invitee = `invited-${Math.random().toString(36).slice(2, 8)}@example.test`;

  it('lets an owner invite someone, with the link shown once', async () => {
    const owner = await createPerson(stack, 'owner');
    await signIn(page, stack.baseUrl, owner);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByRole('table', { name: /Members of this organisation/ }).getByRole('rowheader', { name: new RegExp(owner.email) }).waitFor();
    await check(page, 'settings-01-members');

    await page.getByLabel('Their email address').fill(invitee);
    await page.getByRole('tabpanel').getByLabel('Role', { exact: true }).first().selectOption('admin');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    await page.getByText('Hand this link to them; it works once, for 7 days').waitFor();
    invitationLink = await page.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${stack.baseUrl}/accept-invitation#token=sli_`));
    await check(page, 'settings-02-invitation-link');
    await page.getByRole('button', { name: 'Done: invite someone else' }).click();
    // shown once: gone from the page, the invitation listed without it
    expect(await page.content()).not.toContain(invitationLink.split('#token=')[1]);
    await page.getByRole('table', { name: /Invitations not yet accepted/ }).getByRole('rowheader', { name: invitee }).waitFor();
  });

  it('creates an API token shown once, and revokes it after asking', async () => {
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByRole('tabpanel').getByLabel('Name').fill('Nightly report');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Copy it now: Sluice will not show it again').waitFor();
    const token = await page.getByRole('textbox', { name: 'API token' }).inputValue();
    expect(token).toMatch(/^slk_/);
    // it works: the API knows who it is
    expect((await stack.apiAs(token)('GET', '/auth/session')).status).toBe(200);
    await check(page, 'settings-03-token-shown-once');
    // still there after a look at another tab; gone once put away
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.content()).not.toContain(token);

    await page.getByRole('button', { name: 'Revoke the token “Nightly report”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Nightly report”?' });
    await dialog.waitFor();
    await check(page, 'settings-04-revoke-confirm');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Revoked tokens (1)').waitFor();
    expect((await stack.apiAs(token)('GET', '/auth/session')).status).toBe(401);
  });

  it('filters the audit log on the server and shows what changed', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: /Audit log/ }).waitFor();
    await page.getByLabel('What happened').selectOption('token.revoke');
    await page.getByRole('button', { name: 'Show matching events' }).click();
    await page.getByText('Showing all 1 event.').waitFor();
    const row = page.getByTestId('audit-row');
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toMatch(/Revoked an API token[\s\S]*Nightly report/);
    await row.getByRole('button', { name: /Show details/ }).click();
    await page.getByRole('table', { name: 'What changed' }).getByRole('rowheader', { name: 'Name' }).waitFor();
    await check(page, 'settings-05-audit-filtered');

    await page.getByLabel('From (date)').fill('2030-01-02');
    await page.getByLabel('To (date, included)').fill('2030-01-01');
    await page.getByRole('button', { name: 'Show matching events' }).click();
    await page.getByText(/The “to” date is before the “from” date/).waitFor();
    await check(page, 'settings-06-audit-bad-dates');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('Showing every event, newest first.').waitFor();
  });

  it('lets the invited person choose a password and join, signed in', async () => {
    const guest = await newPage();
    await guest.goto(invitationLink);
    await guest.getByRole('heading', { name: 'Accept your invitation to Sluice' }).waitFor();
    await check(guest, 'settings-07-accept');
    await guest.getByLabel('Choose a password').fill('a long new password');
    await guest.getByLabel('Type the password again').fill('a long new passwort');
    await guest.getByRole('button', { name: 'Join' }).click();
    await guest.getByText('The two passwords are not the same').waitFor();
    await check(guest, 'settings-08-accept-mismatch');
    await guest.getByLabel('Type the password again').fill('a long new password');
    await guest.getByRole('button', { name: 'Join' }).click();
    await guest.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(new URL(guest.url()).hash).toBe('');
    expect(await guest.locator('header').innerText()).toContain(invitee);

    // the link works once
    const again = await newPage();
    await again.goto(invitationLink);
    await again.getByLabel('Choose a password').fill('a long new password');
    await again.getByLabel('Type the password again').fill('a long new password');
    await again.getByRole('button', { name: 'Join' }).click();
    await again.getByText(/already been used/).waitFor();
    await check(again, 'settings-09-accept-used');
  });

  it("tells an admin why an owner's token is not theirs to revoke", async () => {
    const admin = await createPerson(stack, 'admin');
    const adminPage = await newPage();
    await signIn(adminPage, stack.baseUrl, admin);
    await adminPage.goto(`${stack.baseUrl}/settings`);
    await adminPage.getByText('Only owners can invite people').waitFor();
    await adminPage.getByRole('tab', { name: 'API tokens' }).click();
    await adminPage.getByRole('button', { name: 'Revoke the token “test owner”' }).click();
    const dialog = adminPage.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').innerText()).toMatch(/owner role, which is above yours \(admin\)/);
    await check(adminPage, 'settings-10-admin-refused');

    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((k) => [k, []])));
  });
});
