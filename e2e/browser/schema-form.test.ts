import { inArray, sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnector, loadConnectorForRun } from '../../core/connectors/service.js';
import { syncCatalog } from '../../core/plugins/service.js';
import { keyringFrom } from '../../db/keyring.js';
import { plugins } from '../../db/schema/index.js';
import type { PluginDefinition } from '../../meltano/plugins.js';
import { startStack, type Stack } from '../stack.js';
import { accessibilityProblems, createPerson, focusVisible, launchBrowser, screenshot, signIn, tabTo } from './harness.js';

/**
 * The settings form of a tap with a rich schema of its own — a list of files, a choice of
 * how to sign in, a dotted SSH tunnel group, a date and time — filled with the keyboard
 * alone; what the wizard sends is read back from the API (secrets masked) and from the
 * stored connector (secrets as typed). Editing keeps the secrets left empty. No worker: the
 * connection test the wizard starts next is not what this test is about.
 */
const ICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="8" fill="#0f766e"/><circle cx="20" cy="20" r="9" fill="#fff"/></svg>')}`;

const demo = (name: string, label: string, logo: string): PluginDefinition => ({
  name,
  kind: 'extractor',
  namespace: name.replace(/-/g, '_'),
  executable: 'tap-does-not-run',
  label,
  description: 'Files from an API, for the settings form test',
  category: 'test',
  setup_guide: 'Ask your administrator for an OAuth app.',
  docs: 'https://example.com/docs/form-demo',
  logo_url: logo,
  capabilities: ['catalog', 'discover'],
  settings_group_validation: [['api_url', 'files', 'auth']],
  settings: [
    { name: 'api_url', kind: 'string', label: 'API URL', json_schema: { type: 'string', format: 'uri' } },
    {
      name: 'files',
      kind: 'array',
      description: 'The files to read, one table each.',
      json_schema: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            entity: { type: 'string', description: 'The table to load it into.' },
            path: { type: 'string' },
            keys: { type: 'array', items: { type: 'string' } },
            skip_rows: { type: 'integer', minimum: 0 },
            header: { type: 'boolean', default: true },
          },
          required: ['entity', 'path'],
        },
      },
    },
    {
      name: 'auth',
      kind: 'object',
      label: 'Sign in with',
      sensitive: true,
      json_schema: {
        type: 'object',
        oneOf: [
          { title: 'API token', properties: { token: { type: 'string', secret: true } }, required: ['token'] },
          { title: 'OAuth app', properties: { client_id: { type: 'string' }, client_secret: { type: 'string', secret: true } }, required: ['client_id', 'client_secret'] },
        ],
      },
    },
    { name: 'ssh_tunnel.enable', kind: 'boolean', value: false, description: 'Reach the API through a bastion server.' },
    { name: 'ssh_tunnel.host', kind: 'string' },
    { name: 'ssh_tunnel.port', kind: 'integer', value: 22 },
    { name: 'ssh_tunnel.private_key', kind: 'password', sensitive: true },
    { name: 'start_date', kind: 'string', label: 'Start from', json_schema: { type: 'string', format: 'date-time' } },
    { name: 'batch_size', kind: 'integer', advanced: true, json_schema: { type: 'integer', minimum: 1, maximum: 10000 } },
  ],
});
const FORM_DEMO = 'tap-formdemo';
const BROKEN_ICON = 'tap-formdemo-noicon';

describe('a rich settings form in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: Record<string, string[]> = {};
  const check = async (name: string) => {
    // Tall enough for the whole dialog in the picture (it scrolls inside itself otherwise).
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: viewport.width, height: 2800 });
    await screenshot(page, name);
    await page.setViewportSize(viewport);
    problems[name] = await accessibilityProblems(page);
  };
  let connectorId = '';
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

  beforeAll(async () => {
    stack = await startStack({ workers: 0, web: true });
    await syncCatalog(stack.db, [demo(FORM_DEMO, 'Form demo', ICON), demo(BROKEN_ICON, 'Form demo without icon', '/icons/no-such-icon.svg')]);
    browser = await launchBrowser();
    // A fixed zone: the moment typed and the UTC one sent are known.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (stack) {
      await stack.db.execute(sql`delete from connectors where plugin_name in (${FORM_DEMO}, ${BROKEN_ICON})`);
      await stack.db.delete(plugins).where(inArray(plugins.name, [FORM_DEMO, BROKEN_ICON]));
      await stack.stop();
    }
  });

  it('is filled with the keyboard alone: two files, a sign-in choice, the SSH tunnel group, a date and time', async () => {
    const person = await createPerson(stack);
    await signIn(page, stack.baseUrl, person);
    await tabTo(page, { selector: 'button', text: 'Add integration' });
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add integration' });
    await dialog.getByRole('heading', { name: 'Choose a source' }).waitFor();
    await tabTo(page, { selector: '#catalog-search' });
    await page.keyboard.type('form demo');

    // Icons: the plugin's own, decorative beside its name; a monogram when it does not load.
    const withIcon = dialog.getByRole('button', { name: /^Form demo test/i });
    const withoutIcon = dialog.getByRole('button', { name: /Form demo without icon/ });
    expect(await withIcon.locator('img').getAttribute('alt')).toBe('');
    expect(await withIcon.locator('img').evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth > 0, img.width, img.height])).toEqual([true, true, 40, 40]);
    await withoutIcon.getByTestId('plugin-monogram').waitFor();
    expect(await withoutIcon.locator('img').count()).toBe(0);
    await check('form-01-choose-source-icons');

    await tabTo(page, { selector: 'button', text: 'Form demotest' });
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await dialog.getByRole('link', { name: /Documentation/ }).getAttribute('href')).toBe('https://example.com/docs/form-demo');

    await tabTo(page, { selector: '#field-api_url' });
    expect(await page.locator('#field-api_url').getAttribute('type')).toBe('url');
    await page.keyboard.type('https://api.example.test/v1');

    // Two files: Add moves focus into the new item; Tab walks its fields.
    await tabTo(page, { selector: 'button', text: 'Add file' });
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('field-files-0-entity');
    await page.keyboard.type('orders');
    await page.keyboard.press('Tab'); // the required fields come first
    expect(await focusedId()).toBe('field-files-0-path');
    await page.keyboard.type('/data/orders.csv');
    await tabTo(page, { selector: '#field-files-0-keys' });
    await page.keyboard.type('id');
    await page.keyboard.press('Enter'); // adds the tag, does not submit
    await tabTo(page, { selector: '#field-files-0-skip_rows' });
    await page.keyboard.type('1');
    await tabTo(page, { selector: 'button', text: 'Add file' });
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('field-files-1-entity');
    await page.keyboard.type('users');
    await page.keyboard.press('Tab');
    await page.keyboard.type('/data/users.csv');
    await tabTo(page, { selector: '#field-files-1-header' });
    await page.keyboard.press('Space'); // no header row in this one
    expect(await page.locator('#field-files-1-header').getAttribute('aria-checked')).toBe('false');
    expect(await dialog.getByRole('button', { name: 'Remove file 2' }).count()).toBe(1);

    // A third, removed again: focus goes to the item before, nothing else changes.
    await tabTo(page, { selector: 'button', text: 'Add file' });
    await page.keyboard.press('Enter');
    await tabTo(page, { selector: 'button[aria-label="Remove file 3"]' });
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('field-files-1-entity');
    expect(await dialog.getByRole('button', { name: /^Remove file/ }).count()).toBe(2);

    // The choice: arrow keys move between the alternatives, the chosen one's fields follow.
    await tabTo(page, { selector: 'input[type=radio][name="field-auth"]' });
    expect(await focusedId()).toBe('field-auth--option-0');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#field-auth--option-1').isChecked()).toBe(true);
    await tabTo(page, { selector: '#field-auth-client_id' });
    await page.keyboard.type('client-123');
    await tabTo(page, { selector: '#field-auth-client_secret' });
    await page.keyboard.type('s3cret value');

    // The SSH tunnel group, folded as all of it is optional: opened from the keyboard.
    await tabTo(page, { selector: 'summary', text: 'SSH tunnel' });
    await page.keyboard.press('Enter');
    await tabTo(page, { selector: '[id="field-ssh_tunnel.enable"]' });
    await page.keyboard.press('Space');
    await tabTo(page, { selector: '[id="field-ssh_tunnel.host"]' }, 120);
    await page.keyboard.type('bastion.example.test');
    await tabTo(page, { selector: '[id="field-ssh_tunnel.port"]' }, 120);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2222');
    await tabTo(page, { selector: '[id="field-ssh_tunnel.private_key"]' }, 120);
    await page.keyboard.type('-----KEY-----');

    // A date and time in the person's zone (Berlin, winter: UTC+1).
    await tabTo(page, { selector: '#field-start_date' });
    // Chromium's date and time input, in its own (US) layout: month, day, year, then hour, minute, AM/PM.
    await page.keyboard.type('01312024');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.type('1030A');
    expect(await page.locator('#field-start_date').inputValue()).toBe('2024-01-31T10:30');
    expect(await dialog.getByText('In your time zone (Europe/Berlin)').count()).toBe(1);
    await check('form-02-settings-filled');

    await tabTo(page, { selector: 'button[type=submit]', text: 'Next' });
    await page.keyboard.press('Enter');
    await dialog.getByRole('heading', { name: 'Test connection' }).waitFor();

    // What the wizard sent, as the API shows it: secrets masked, the rest as typed.
    const list = await stack.api<{ data: Array<{ id: string; plugin: string; config: Record<string, unknown>; secrets: Record<string, { has_value: boolean }> }> }>('GET', '/connectors');
    const created = list.body.data.find((c) => c.plugin === FORM_DEMO)!;
    connectorId = created.id;
    expect(created.config).toEqual({
      api_url: 'https://api.example.test/v1',
      files: [
        { entity: 'orders', path: '/data/orders.csv', keys: ['id'], skip_rows: 1, header: true },
        { entity: 'users', path: '/data/users.csv', header: false },
      ],
      auth: '********',
      'ssh_tunnel.enable': true,
      'ssh_tunnel.host': 'bastion.example.test',
      'ssh_tunnel.port': 2222,
      'ssh_tunnel.private_key': '********',
      start_date: '2024-01-31T09:30:00Z',
    });
    expect(created.secrets).toMatchObject({ auth: { has_value: true }, 'ssh_tunnel.private_key': { has_value: true } });
    // And as a run gets it: the chosen alternative as an object, the secret as typed.
    const stored = await getConnector(stack.db, stack.tenant.id, created.id);
    const forRun = loadConnectorForRun(keyringFrom(stack.env), stored!).config;
    expect(forRun.auth).toEqual({ client_id: 'client-123', client_secret: 's3cret value' });
    expect(forRun['ssh_tunnel.private_key']).toBe('-----KEY-----');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(problems).toEqual({ 'form-01-choose-source-icons': [], 'form-02-settings-filled': [] });
  });

  it('shows the stored files when editing, keeps the secrets left empty, and says so', async () => {
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByTestId('connection-card').filter({ hasText: 'Form demo' }).getByRole('button', { name: /^Edit settings of/ }).click();
    const edit = page.getByRole('dialog', { name: /Settings of/ });
    expect(await edit.locator('#field-files-1-path').inputValue()).toBe('/data/users.csv');
    expect(await edit.locator('[id="field-ssh_tunnel.private_key"]').inputValue()).toBe('');
    expect(await edit.locator('[id="field-ssh_tunnel.private_key"]').getAttribute('placeholder')).toMatch(/leave empty to keep/);
    await edit.getByText(/It is kept unless you choose another/).waitFor();
    expect(await edit.getByLabel('Keep the saved one').isChecked()).toBe(true);
    expect(await edit.locator('#field-auth-token').count()).toBe(0);
    expect(await edit.locator('#field-start_date').inputValue()).toBe('2024-01-31T10:30');
    await edit.locator('#field-files-0-entity').fill('orders_v2');
    await check('form-03-edit');
    await edit.getByRole('button', { name: 'Save settings' }).click();
    await edit.waitFor({ state: 'hidden' });

    const stored = await getConnector(stack.db, stack.tenant.id, connectorId);
    const forRun = loadConnectorForRun(keyringFrom(stack.env), stored!).config;
    expect(forRun).toMatchObject({
      files: [{ entity: 'orders_v2', path: '/data/orders.csv', keys: ['id'], skip_rows: 1, header: true }, { entity: 'users', path: '/data/users.csv', header: false }],
      auth: { client_id: 'client-123', client_secret: 's3cret value' },
      'ssh_tunnel.private_key': '-----KEY-----',
      start_date: '2024-01-31T09:30:00Z',
    });
    expect(problems['form-03-edit']).toEqual([]);
  });
});
