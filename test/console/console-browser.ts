import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/auth-server.harness.js';

/** Debian's chromium package; `.ci/run` installs it. */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

const hasChromium = existsSync(CHROMIUM);

/**
 * A browser suite: skipped with a message when Chromium is missing on a developer's machine, failed
 * in CI (where `.ci/run` must have installed it).
 */
export function describeInBrowser(name: string, suite: () => void): void {
  if (hasChromium) {
    describe(name, suite);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${CHROMIUM} is missing: CI installs it with apt-get install -y chromium (.ci/run)`);
      });
    });
    return;
  }
  console.warn(
    `Skipping the console browser tests (${name}): ${CHROMIUM} is missing. Install it with: sudo apt-get install -y chromium`,
  );
  describe.skip(name, suite);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that a test may assert on: errors, CSP violations, every URL it requested. */
export interface PageRecord {
  errors: string[];
  cspViolations: string[];
  requestUrls: string[];
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  record: PageRecord;
}

/** A fresh browser context (no cookies, no storage) on the console's origin, clipboard allowed. */
export async function openConsole(
  browser: Browser,
  origin: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const record: PageRecord = { errors: [], cspViolations: [], requestUrls: [] };
  page.on('pageerror', (error) => record.errors.push(error.message));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Trusted ?Type|TrustedHTML|TrustedScript/i.test(text)) record.cspViolations.push(text);
    // Refused API calls are logged by the browser as failed loads; they are expected (401 before sign-in, 403 for non-admins, 409 for a refused signing-key rotation).
    else if (
      message.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of (401|403|404|409|429)/.test(text)
    )
      record.errors.push(text);
  });
  page.on('request', (request) => record.requestUrls.push(request.url()));
  await page.goto(`${origin}/console`);
  return { context, page, record };
}

export async function signIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The page's heading level 1, once it is there. */
export async function pageTitle(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** The text of the polite status region (results) once it says something. */
export async function statusMessage(page: Page, expected: RegExp): Promise<string> {
  const region = page.locator('#status-region');
  await region.filter({ hasText: expected }).waitFor();
  return (await region.textContent()) ?? '';
}

export async function alertMessage(page: Page, expected: RegExp): Promise<string> {
  const region = page.locator('#alert-region');
  await region.filter({ hasText: expected }).waitFor();
  return (await region.textContent()) ?? '';
}

/** The accessible name of the focused element and its role-ish tag, for focus-management assertions. */
export function focused(page: Page): Promise<{ tag: string; text: string }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      text: (element?.getAttribute('aria-label') ?? element?.textContent ?? '').trim(),
    };
  });
}

/** Everything the page keeps where a secret must never go: both storages, its URL, and the cookies script can read. */
export async function readableState(
  page: Page,
): Promise<{ localStorage: string; sessionStorage: string; url: string; documentCookie: string }> {
  return page.evaluate(() => {
    const dump = (storage: Storage) =>
      JSON.stringify(
        Object.fromEntries(
          Array.from({ length: storage.length }, (_, i) => [storage.key(i), storage.getItem(storage.key(i)!)]),
        ),
      );
    return {
      localStorage: dump(localStorage),
      sessionStorage: dump(sessionStorage),
      url: location.href,
      documentCookie: document.cookie,
    };
  });
}

export interface ContrastFailure {
  text: string;
  ratio: number;
  required: number;
}

/**
 * WCAG 2.2 SC 1.4.3 on what is on screen: for every visible element with its own text, the
 * contrast of its colour against the first opaque background behind it (alpha-blended).
 */
export function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  return page.evaluate(() => {
    const parse = (value: string): number[] => {
      const match = /rgba?\(([^)]+)\)/.exec(value);
      if (!match) return [0, 0, 0, 0];
      const parts = match[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0], parts[1], parts[2], parts[3] ?? 1];
    };
    const blend = (top: number[], bottom: number[]): number[] =>
      [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const luminance = (rgb: number[]): number => {
      const [r, g, b] = rgb.slice(0, 3).map((c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const background = (element: Element | null): number[] => {
      const layers: number[][] = [];
      for (let node = element; node; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour[3] > 0) layers.push(colour);
        if (colour[3] >= 1) break;
      }
      return layers.reduceRight((under, layer) => blend(layer, under), [255, 255, 255, 1]);
    };
    const failures: { text: string; ratio: number; required: number }[] = [];
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      if (element instanceof SVGElement || element.closest('[hidden], .visually-hidden, noscript, script, style'))
        continue;
      const text = Array.from(element.childNodes)
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (!text) continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
      if ((element as HTMLButtonElement).disabled || element.closest('button:disabled')) continue;
      const back = background(element);
      const fore = blend(parse(style.color), back);
      const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const bold = Number.parseInt(style.fontWeight, 10) >= 700;
      const required = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < required) failures.push({ text: text.slice(0, 60), ratio: Math.round(ratio * 100) / 100, required });
    }
    return failures;
  });
}

/** Form controls on screen without an accessible name from a bound <label> or aria-label(ledby). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'))
      .filter((control) => control.type !== 'hidden' && control.getClientRects().length > 0)
      .filter(
        (control) =>
          (control.labels?.length ?? 0) === 0 &&
          !control.getAttribute('aria-label') &&
          !control.getAttribute('aria-labelledby'),
      )
      .map((control) => control.outerHTML.slice(0, 120)),
  );
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the first offending elements. */
  targets: string[];
}

/**
 * axe-core's WCAG 2.2 A/AA rules (and its best practices) on the page as it is. The engine is
 * evaluated through the DevTools protocol, as a browser extension would run it, so the console's
 * CSP and Trusted Types stay in force for everything else on the page.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: Document, options: object) => Promise<any> } }).axe;
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return results.violations.map(
      (violation: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
      }),
    );
  });
}
