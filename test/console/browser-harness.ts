// What the console's browser tests share: building the console as it is now, launching headless
// Chromium, and screenshots that are checked, not only taken: the page must fit the viewport's
// width and every visible text must render at 11 px or more (SVG text counted at its scaled size).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** A describe block for headless Chromium; where Chromium is absent, one skipped test that says how to install it. */
export function describeInChromium(name: string, options: { timeout?: number }, body: () => void): void {
  if (chromiumAvailable) describe(name, options, body);
  else
    describe(name, () => {
      it.skip(`skipped: ${CHROMIUM} is absent; install it with \`apt-get install -y chromium\` (.ci/run does)`, () => undefined);
    });
}
/** Headless, and quiet: no background traffic a test would have to tell apart from the page's. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const root = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(root, 'test-artifacts', 'console');
export const VIEWPORT = { width: 1280, height: 860 };
export const MIN_FONT_PX = 11;

/** Builds the console as it is now into a folder of its own; returns the folder. */
export async function buildConsole(): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const distDir = await mkdtemp(join(tmpdir(), 'modelgraph-console-'));
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', join(root, 'console'), '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'], {
    stdio: 'pipe',
  });
  return distDir;
}

export async function launch(): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: VIEWPORT });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return { browser, page, pageErrors };
}

export async function signIn(page: Page, url: string, secret: string): Promise<void> {
  await page.goto(`${url}/console/#/playground`);
  await page.getByLabel('API key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export interface TextSize {
  text: string;
  px: number;
}

/**
 * Every visible text in `selector` with the size it is drawn at: the computed font size, times the
 * scale of an SVG's viewBox for SVG text (a 10 px label in a viewBox drawn at half size is 5 px).
 */
export function renderedTextSizes(page: Page, selector: string): Promise<TextSize[]> {
  return page.evaluate((scope) => {
    const sizes: Array<{ text: string; px: number }> = [];
    for (const root of document.querySelectorAll(scope)) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent?.trim() ?? '';
        const element: Element | null = node.parentElement;
        if (!text || !element) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue; // not drawn (closed <details>, SVG <title>)
        let px = Number.parseFloat(getComputedStyle(element).fontSize);
        if (element instanceof SVGGraphicsElement) {
          const matrix = element.getScreenCTM();
          if (matrix) px *= Math.min(Math.hypot(matrix.a, matrix.b), Math.hypot(matrix.c, matrix.d));
        }
        sizes.push({ text, px: Math.round(px * 100) / 100 });
      }
    }
    return sizes;
  }, selector);
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Takes a full-page screenshot into test-artifacts/console/ and checks it: exactly the viewport's
 * width (nothing overflows sideways) and no text in <main> drawn smaller than MIN_FONT_PX.
 */
export async function checkedScreenshot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  expect(pngSize(png).width, `${name}: the page is wider than the viewport`).toBe(VIEWPORT.width);
  const small = (await renderedTextSizes(page, 'main')).filter((size) => size.px < MIN_FONT_PX);
  expect(small, `${name}: text drawn below ${MIN_FONT_PX} px`).toEqual([]);
}
