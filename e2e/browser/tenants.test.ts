import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createToken } from '../../core/tenants/service.js';
import { apiAs, startStack, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, launchBrowser, screenshot, signIn } from './harness.js';

/**
 * A person who belongs to two workspaces (an owner in the stack's tenant, a viewer in a second
 * one they joined by invitation) switches between them in Debian's Chromium against the real
 * API: the header switcher lists both with the role in each, a switch lands on the other
 * workspace's connections with nothing of the first one left on screen, and a person in one
 * workspace sees no switcher at all. Every step is photographed and checked by axe-core.
 */
describe('switching workspaces in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let person: { email: string; password: string };
  let second: { slug: string; name: string };
  const problems: Record<string, string[]> = {};
  const check = async (on: Page, name: string) => {
    await screenshot(on, name);
    problems[name] = await accessibilityProblems(on);
  };
  const newPage = async () => (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const header = () => page.getByTestId('signed-in-as');

  beforeAll(async () => {
    stack = await startStack({ workers: 0, web: true });
    person = await createPerson(stack, 'owner');
    // the first workspace has a connection; the second has none
    const made = await stack.api('POST', '/connectors', { name: 'Shop orders file', plugin: 'tap-jsonl', config: { path: 'orders.jsonl', stream_name: 'orders' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const tenant = await createTenant(stack.db, `second-${Math.random().toString(36).slice(2, 8)}`, 'Second Shop');
    second = { slug: tenant.slug, name: tenant.name };
    const { token } = await createToken(stack.db, tenant.id, 'second owner', 'owner');
    // the invitation flow: the second workspace's owner invites the person, who accepts with their own password
    const invited = await apiAs(stack.baseUrl, token)<{ token: string }>('POST', '/members', { email: person.email, role: 'viewer' });
    expect(invited.status).toBe(201);
    const accepted = await apiAs(stack.baseUrl, undefined)('POST', '/auth/accept-invitation', { token: invited.body.token, password: person.password });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    browser = await launchBrowser();
    page = await newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists both workspaces in the header, with the role in each', async () => {
    await signIn(page, stack.baseUrl, person);
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.getByRole('heading', { name: 'Shop orders file' }).waitFor();
    expect(await header().innerText()).toBe(`${person.email} · ${stack.tenant.name} (owner)`);
    const picker = page.getByRole('banner').getByLabel('Workspace', { exact: true });
    expect(await picker.inputValue()).toBe(stack.tenant.slug);
    expect(await picker.locator('option').allInnerTexts()).toEqual([`${stack.tenant.name} (Owner)`, 'Second Shop (Viewer)']);
    expect(await page.getByRole('button', { name: 'Switch', exact: true }).isDisabled()).toBe(true);
    await check(page, 'tenants-01-switcher');
  });

  it("switches to the other workspace from any page and lands on its (empty) connections", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/')) requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Second Shop (Viewer)' });
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await header().getByText(`${person.email} · Second Shop (viewer)`).waitFor();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.getByText('Nothing is connected yet.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByText('Shop orders file').count()).toBe(0);
    // a viewer there: nothing to add
    expect(await page.getByRole('button', { name: /Add (your first )?integration/ }).count()).toBe(0);
    expect(await page.getByLabel('Workspace', { exact: true }).inputValue()).toBe(second.slug);
    expect(requests).toContain('POST /api/v1/auth/switch-tenant');
    await check(page, 'tenants-02-switched');
  });

  it('switches back with the keyboard, and changes go through with the new session', async () => {
    // the browser holds the new session: the API agrees on where it is
    const session = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).json());
    expect(session).toMatchObject({ tenant: { slug: second.slug, name: 'Second Shop' }, role: 'viewer', via: 'session' });
    expect(session.tenants).toHaveLength(2);

    // back with the keyboard alone: browsing the list moves nowhere until "Switch" is pressed
    const picker = page.getByLabel('Workspace', { exact: true });
    await picker.focus();
    await page.keyboard.press('ArrowUp');
    expect(await picker.inputValue()).toBe(stack.tenant.slug);
    await page.waitForTimeout(300);
    expect(await header().innerText()).toBe(`${person.email} · Second Shop (viewer)`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Switch');
    await page.keyboard.press('Enter');
    await header().getByText(`${person.email} · ${stack.tenant.name} (owner)`).waitFor();
    await page.getByRole('heading', { name: 'Shop orders file' }).waitFor();
    // an owner again: a change made with the token this session was given goes through
    await page.getByRole('button', { name: 'Add integration' }).waitFor();
    const renamed = await page.evaluate(async () => {
      const s = await (await fetch('/api/v1/auth/session')).json();
      const list = await (await fetch('/api/v1/connectors')).json();
      const id = list.data[0].id as string;
      const res = await fetch(`/api/v1/connectors/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: JSON.stringify({ name: 'Shop orders file' }) });
      return res.status;
    });
    expect(renamed).toBe(200);
    await check(page, 'tenants-03-switched-back');
  });

  it('shows no switcher to someone in one workspace, and signs out after a switch', async () => {
    const single = await createPerson(stack, 'admin');
    const other = await newPage();
    await signIn(other, stack.baseUrl, single);
    await other.getByRole('heading', { name: 'Connections' }).waitFor();
    expect(await other.getByLabel('Workspace', { exact: true }).count()).toBe(0);
    expect(await other.getByTestId('signed-in-as').innerText()).toBe(`${single.email} · ${stack.tenant.name} (admin)`);
    await check(other, 'tenants-04-one-workspace');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status))).toBe(401);

    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((k) => [k, []])));
  });
});
