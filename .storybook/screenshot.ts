/**
 * Checks a running `npm start` in headless Chromium and takes the README's screenshot:
 *   npm start                             # in one terminal
 *   npx tsx .storybook/screenshot.ts      # in another; STORYBOOK_URL defaults to http://127.0.0.1:6006
 * Opens the anonymous demo and waits for "registered", then the JWT demo until it has renewed once,
 * and saves docs/jwt-renewal.png (1000x700). Uses the system Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium): nothing is downloaded.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';

const STORYBOOK_URL = process.env.STORYBOOK_URL ?? 'http://127.0.0.1:6006';
const OUTPUT = fileURLToPath(new URL('../docs/jwt-renewal.png', import.meta.url));
const TIMEOUT_MS = 60_000;

async function openStory(page: Page, id: string): Promise<void> {
  await page.goto(`${STORYBOOK_URL}/iframe.html?id=${id}&viewMode=story`, { waitUntil: 'load' });
}

async function waitForStatus(page: Page, status: string): Promise<void> {
  await page.getByTestId('status').filter({ hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: TIMEOUT_MS });
}

const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const browser = await chromium.launch({
  ...(chromiumPath ? { executablePath: chromiumPath } : {}),
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) console.log(`  [browser error] ${message.text()}`);
  });

  await openStory(page, 'demos-anonymous-apikey--registered');
  await waitForStatus(page, 'registered');
  console.log(`anonymous: registered as ${await page.getByTestId('session-id').textContent()}`);

  await openStory(page, 'demos-jwt-renewal--renewed-before-expiry');
  await waitForStatus(page, 'registered');
  console.log(`jwt: registered as ${await page.getByTestId('session-id').textContent()}`);
  await page.getByTestId('registration-2').waitFor({ timeout: TIMEOUT_MS });
  await waitForStatus(page, 'registered');
  console.log(`jwt: renewed (${await page.getByTestId('registration-2').textContent()})`);

  await page.screenshot({ path: OUTPUT });
  console.log(`saved ${OUTPUT}`);
} finally {
  await browser.close();
}
