// A tool sends a pupil to log in (issue 18), in a real Chromium: the first time the login
// page leads through the platform's terms to the tool's redirect URI, the next time the
// login form leads straight there. Chromium checks the pages' `form-action` along the whole
// redirect chain, so this fails when the login page or the terms page forbids the tool's
// origin. The tool's address is answered inside the browser.
//
//   cargo build -p schulhof && node --test sso_resume.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkPage } from './checks.mjs';
import { loginAndConsent, startPlatform } from './harness.mjs';

// Nothing listens there: the browser answers the tool's redirect itself.
const TOOL = 'http://localhost:9';
const REDIRECT = `${TOOL}/callback`;

let base;
let browser;
let platform;
let clientId;

before(async () => {
  platform = await startPlatform('sso-resume');
  ({ base, browser } = platform);
  const admin = await browser.newContext();
  const a = await admin.newPage();
  await loginAndConsent(base, a, 'admin');
  await a.goto(`${base}/verwaltung/werkzeuge`);
  // Only a pseudonym and no terms: after the platform's own pages, straight to the tool.
  await a.locator('#tool-name').fill('Lesewelt');
  await a.locator('#tool-redirect').fill(REDIRECT);
  await a.getByRole('button', { name: 'Registrieren' }).click();
  const shown = a.getByRole('status').filter({ hasText: 'Werkzeug registriert' });
  await shown.waitFor();
  clientId = (await shown.locator('dd code').first().innerText()).trim();
  assert.ok(clientId.length > 8, `a client_id: ${clientId}`);
  await admin.close();
});

after(async () => {
  await platform?.stop();
});

/** A pupil's browser whose tool answers its own callback. */
async function pupilPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(`${TOOL}/**`, (route) => route.fulfill({
    status: 200, contentType: 'text/html', body: '<!doctype html><title>Lesewelt</title><p>angekommen</p>',
  }));
  return { context, page };
}

/** Opens the tool's login; returns the state it sent. */
async function openTool(page, state) {
  const q = new URLSearchParams({
    client_id: clientId, redirect_uri: REDIRECT, response_type: 'code',
    scope: 'openid', state, nonce: `n-${state}`,
  });
  await page.goto(`${base}/oidc/authorize?${q}`);
  await page.waitForURL((u) => u.pathname === '/anmelden');
}

async function fillLogin(page) {
  if (await page.locator('#schule').count()) await page.fill('#schule', '100000');
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('schueler');
  await page.getByLabel('Passwort').fill('schulhof-demo');
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
}

async function assertAtTool(page, state) {
  await page.waitForURL((u) => u.href.startsWith(REDIRECT), { timeout: 15_000 });
  const back = new URL(page.url()).searchParams;
  assert.ok(back.get('code'), 'the tool gets a code');
  assert.equal(back.get('state'), state);
  assert.match(await page.locator('p').innerText(), /angekommen/);
}

test('a first login through a tool passes the terms and lands in the tool', async () => {
  const { context, page } = await pupilPage();
  await openTool(page, 'erst');
  await checkPage(page, 'sso login for a tool');
  await fillLogin(page);
  await page.waitForURL((u) => u.pathname === '/zustimmung');
  await checkPage(page, 'sso terms for a tool');
  await page.getByLabel('Datenschutzhinweise zur Kenntnis genommen').check();
  await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
  await assertAtTool(page, 'erst');
  await context.close();
});

test('the next login through the tool goes straight back to it', async () => {
  const { context, page } = await pupilPage();
  await openTool(page, 'wieder');
  await fillLogin(page);
  await assertAtTool(page, 'wieder');
  await context.close();
});
