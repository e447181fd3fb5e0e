import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createAccount } from '../../core/accounts/service.js';
import { projectRoot } from '../../meltano/project.js';
import type { Stack } from '../stack.js';

/**
 * Debian's Chromium driven by playwright-core (browser downloads do not work on our
 * machines; setup installs the `chromium` package when the tests run).
 */
export const CHROMIUM = '/usr/bin/chromium';
export const artifactsDir = path.join(projectRoot, 'e2e', 'artifacts');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A person with a password in the stack's tenant, as `users create` makes one. */
export async function createPerson(stack: Stack, role: 'owner' | 'admin' | 'viewer' = 'owner') {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const password = `pw-${Math.random().toString(36).slice(2)}-Long`;
  await createAccount(stack.db, { tenantId: stack.tenant.id, email, password, role, actor: { type: 'system', id: null, label: 'browser test' } });
  return { email, password };
}

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, baseUrl: string, person: { email: string; password: string }) {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function screenshot(page: Page, name: string) {
  await mkdir(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: Array<{ target: string[]; html: string; failureSummary?: string }> };
const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now (WCAG 2 A/AA rules and best practices), and body text below AAA contrast. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol: the app's CSP (script-src 'self') refuses injected script tags, rightly.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations;
  });
  // Body text (paragraphs, list items, table cells, definitions) is held to AAA contrast (7:1, 4.5:1 when large).
  const bodyText = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast-enhanced'] } });
    return result.violations;
  });
  const aaa = (bodyText as AxeViolation[])
    .flatMap((v) => v.nodes.filter((n) => /^<(p|li|dd|td)[\s>]/.test(n.html)).map((n) => `AAA body text ${v.id}: ${n.target.join(' ')} ${n.failureSummary ?? ''}`.trim()));
  return [
    ...(violations as AxeViolation[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ...aaa,
  ];
}

/** Writes what a test measured beside its screenshots. */
export async function saveMeasurement(name: string, value: unknown) {
  await mkdir(artifactsDir, { recursive: true });
  await writeFile(path.join(artifactsDir, `${name}.json`), JSON.stringify(value, null, 2));
}

/**
 * The catalog card (a button) whose name line is exactly `label`: "PostgreSQL" is the built-in
 * source, not "PostgreSQL (change log)", though the descriptions of both say PostgreSQL.
 */
export const sourceCard = (scope: Locator, label: string) =>
  scope.getByRole('listitem').filter({ has: scope.page().getByText(label, { exact: true }) }).getByRole('button');

/** Which plugin the tenant's connection of that name uses (what the card a person picked stands for). */
export async function pluginOfConnection(stack: Stack, name: string) {
  const listed = await stack.api<{ data: Array<{ name: string; plugin: string }> }>('GET', '/connectors');
  return listed.body.data.find((c) => c.name === name)?.plugin;
}

export type Target = { selector?: string; text?: string };

/** Presses Tab until the focused element is the target; fails when it never comes (not reachable by keyboard). */
export async function tabTo(page: Page, target: Target, limit = 60) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(({ selector, text }) => {
      const el = document.activeElement;
      if (!el || el === document.body) return false;
      return (selector === undefined || el.matches(selector)) && (text === undefined || (el.textContent ?? '').includes(text));
    }, target);
    if (here) return;
  }
  throw new Error(`Tab never reached ${JSON.stringify(target)}`);
}

/** The focused element shows where it is: a ring (box-shadow) or an outline. */
export const focusVisible = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return false;
    const style = getComputedStyle(el);
    return style.boxShadow !== 'none' || (style.outlineStyle !== 'none' && style.outlineWidth !== '0px');
  });
