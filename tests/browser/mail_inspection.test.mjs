// Four-eyes access to a mailbox in a real browser at 1280 px and 360 px: the admin assigns
// the staff council, the Schulleitung asks to read the student's mailbox, the council member
// confirms under "Bestätigungen", and the Schulleitung reads the inbox and one message,
// read-only. At 360 px a second request is rejected. Every page: axe clean, one main
// landmark, labelled fields, nothing scrolls sideways.
//
//   cargo build -p schulhof && node --test mail_inspection.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { WIDTHS, checkPage } from './checks.mjs';
import { h1, loginAndConsent, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('mail-inspection');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

async function signedIn(viewport, user) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await loginAndConsent(base, page, user);
  return { context, page };
}

/** `YYYY-MM-DD` of `days` from now (local time, as the date field reads it). */
function inDays(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The Schulleitung asks to read `login`'s mailbox. */
async function request(page, login, reason) {
  await page.goto(`${base}/mail/einsicht`);
  await page.locator('#insp-login').fill(login);
  await page.locator('#insp-reason').fill(reason);
  await page.locator('#insp-until').fill(inDays(3));
  await page.getByRole('button', { name: 'Antrag stellen' }).click();
  await page.waitForURL(/ok=inspection_requested/);
}

const [wide, narrow] = WIDTHS;

test('at 1280 px: council assigned, request confirmed, the mailbox read', async () => {
  const { name, viewport } = wide;
  const admin = await signedIn(viewport, 'admin');
  const a = admin.page;
  await a.goto(`${base}/mail/einsicht`);
  assert.equal(await h1(a), 'Einsicht in Postfächer');
  assert.equal(await a.locator('#insp-reason').count(), 0, 'the admin asks for nothing');
  await checkPage(a, `mail-inspection admin ${name}`);
  await a.locator('#council-login').fill('personal');
  await a.getByRole('button', { name: 'Eintragen' }).click();
  await a.waitForURL(/ok=council_saved/);
  await a.getByRole('button', { name: /Austragen.*personal/ }).waitFor();
  await checkPage(a, `mail-inspection council ${name}`);
  await admin.context.close();

  const head = await signedIn(viewport, 'schulleitung');
  const h = head.page;
  await h.goto(`${base}/mail/einsicht`);
  assert.match(await h.locator('main').innerText(), /Es gibt keine laufende Einsicht/);
  await checkPage(h, `mail-inspection request form ${name}`);
  await request(h, 'schueler', 'Erkrankung, dringende Elternanfrage');
  await h.getByText('Der Antrag ist gestellt').waitFor();
  await checkPage(h, `mail-inspection requested ${name}`);

  const council = await signedIn(viewport, 'personal');
  const c = council.page;
  await c.goto(`${base}/bestaetigungen`);
  const row = c.getByRole('row', { name: /Einsicht in ein Postfach/ });
  assert.match(await row.innerText(), /schueler/);
  await checkPage(c, `mail-inspection confirmations ${name}`);
  await row.getByRole('button', { name: 'Bestätigen' }).click();
  await c.waitForURL(/ok=request_confirmed/);
  await council.context.close();

  await h.goto(`${base}/mail/einsicht`);
  const access = h.getByRole('row', { name: /Erkrankung/ });
  await access.getByRole('link').click();
  await h.waitForURL(/\/mail\/einsicht\/[0-9a-f-]{36}$/);
  assert.match(await h1(h), /^Postfach von/);
  await h.getByRole('note').getByText(/Nur lesen/).waitFor();
  await checkPage(h, `mail-inspection mailbox ${name}`);
  await h.getByRole('link', { name: 'Hausaufgaben bis Donnerstag' }).click();
  assert.equal(await h1(h), 'Hausaufgaben bis Donnerstag');
  await h.getByText(/Arbeitsblatt/).waitFor();
  await checkPage(h, `mail-inspection message ${name}`);
  await head.context.close();
});

test('at 360 px: the same pages, a second request rejected', async () => {
  const { name, viewport } = narrow;
  const admin = await signedIn(viewport, 'admin');
  await admin.page.goto(`${base}/mail/einsicht`);
  await checkPage(admin.page, `mail-inspection council ${name}`);
  await admin.context.close();

  const head = await signedIn(viewport, 'schulleitung');
  const h = head.page;
  await h.goto(`${base}/mail/einsicht`);
  await checkPage(h, `mail-inspection list ${name}`);
  await request(h, 'extern', 'Verdacht auf Weiterleitung vertraulicher Daten');

  const council = await signedIn(viewport, 'personal');
  const c = council.page;
  await c.goto(`${base}/bestaetigungen`);
  const row = c.getByRole('row', { name: /extern/ }).filter({ hasText: 'offen' });
  await checkPage(c, `mail-inspection confirmations ${name}`);
  await row.getByRole('button', { name: 'Ablehnen' }).click();
  await c.waitForURL(/ok=request_rejected/);
  await c.getByText('Der Antrag ist abgelehnt.').waitFor();
  await checkPage(c, `mail-inspection rejected ${name}`);
  await council.context.close();

  // Only the confirmed access is open; its mailbox and message fit the narrow screen.
  await h.goto(`${base}/mail/einsicht`);
  assert.equal(await h.getByRole('row', { name: /Verdacht/ }).count(), 0);
  await h.getByRole('row', { name: /Erkrankung/ }).getByRole('link').click();
  await h.waitForURL(/\/mail\/einsicht\/[0-9a-f-]{36}$/);
  await checkPage(h, `mail-inspection mailbox ${name}`);
  await h.getByRole('link', { name: 'Hausaufgaben bis Donnerstag' }).click();
  await h.getByText(/Arbeitsblatt/).waitFor();
  await checkPage(h, `mail-inspection message ${name}`);
  await head.context.close();
});
