// What every browser test shares: the schulhof binary with the demo school in a fresh data
// directory on a free port, Debian's Chromium, an axe-core check, screenshots and the login.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const BIN = process.env.SCHULHOF_BIN ?? '/var/tmp/schulhof-target/debug/schulhof';
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SHOTS = path.join(HERE, 'screenshots');

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(server, log, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`schulhof exited with ${server.exitCode}:\n${log()}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`schulhof did not become healthy:\n${log()}`);
}

/**
 * Starts the platform and a browser. Returns `{ base, browser, dataDir, serverLog, stop }`;
 * `stop()` ends both and removes the data directory.
 */
export async function startPlatform(name) {
  const dataDir = await mkdtemp(path.join(tmpdir(), `schulhof-browser-${name}-`));
  await mkdir(SHOTS, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let serverLog = '';
  // The browser tests need no mail protocols; left on, parallel servers would contend for
  // the default SMTP and IMAP ports.
  const server = spawn(BIN, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', dataDir,
    '--smtp-listen', '', '--submission-listen', '', '--imap-listen', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  await waitHealthy(server, () => serverLog, base);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  // Pages follow the browser's Accept-Language; the tests are a German school's browsers
  // unless a test asks for another `locale`.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options = {}) => newContext({ locale: 'de-DE', ...options });
  async function stop() {
    await browser?.close();
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  return { base, browser, dataDir, serverLog: () => serverLog, stop };
}

/** No axe-core violations on the page as it is now. */
export async function checkA11y(page, name) {
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
  );
  assert.deepEqual(found, [], `${name}: accessibility violations`);
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export async function h1(page) {
  return (await page.locator('h1').textContent()).trim();
}

/** Logs a demo login in at `base` (with one school the number travels unseen). */
export async function loginAt(base, page, user) {
  await page.goto(`${base}/`);
  if (await page.locator('#schule').count()) await page.fill('#schule', '100000');
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill(user);
  await page.getByLabel('Passwort').fill('schulhof-demo');
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
}

/** Logs a demo login in and accepts the terms when they are asked for (the first time). */
export async function loginAndConsent(base, page, user) {
  await loginAt(base, page, user);
  // Signed in (held at the consent gate or not), the logout form is there (on a narrow
  // screen folded into the menu, so not necessarily visible).
  await page.locator('form[action="/abmelden"]').first().waitFor({ state: 'attached' });
  const consent = page.getByLabel('Datenschutzhinweise zur Kenntnis genommen');
  if (await consent.count()) {
    await consent.check();
    await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
  }
  await page.waitForURL((u) => u.pathname === '/');
}
