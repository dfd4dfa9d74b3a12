// Admin views in a real browser at 1280 px and 360 px, each page checked with axe-core:
// Safe passwords for several teachers with their printable letters, the log filtered by
// action with its CSV export, the user list sorted by class, and a deep link that leads
// back to its page after the login and the consent gate.
//
//   cargo build -p schulhof-server && node --test --test-concurrency=1 admin.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { checkA11y, h1, loginAt, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

const WIDTHS = [
  { name: 'wide', viewport: { width: 1280, height: 800 } },
  { name: 'narrow', viewport: { width: 360, height: 640 } },
];

before(async () => {
  platform = await startPlatform('admin');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

/** A signed-in page at a width (the first login of a user accepts the terms). At 360 px
 * the logout button sits in the folded menu, so this waits for the address instead. */
async function signedIn(user, viewport) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await loginAt(base, page, user);
  await page.waitForURL((u) => u.pathname === '/' || u.pathname === '/zustimmung');
  if (new URL(page.url()).pathname === '/zustimmung') {
    await page.getByLabel('Datenschutzhinweise zur Kenntnis genommen').check();
    await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  }
  return { context, page };
}

test('the Schulleitung generates Safe passwords for several teachers and prints letters', async () => {
  for (const { name, viewport } of WIDTHS) {
    const { context, page } = await signedIn('schulleitung', viewport);
    await page.goto(`${base}/safe/passwoerter`);
    assert.equal(await h1(page), 'Safe-Passwörter');
    const list = page.getByRole('table', { name: 'Lehrkräfte und ihr Safe-Passwort' });
    await list.waitFor();
    await checkA11y(page, `Safe passwords list (${name})`);
    await shot(page, `admin-safe-list-${name}`);
    await page.getByRole('checkbox', { name: 'Lena Lehmann' }).check();
    await page.getByRole('checkbox', { name: 'Paul Hausmann' }).check();
    await page.getByRole('button', { name: 'Passwörter erzeugen und Briefe zeigen' }).click();
    await page.getByRole('heading', { name: 'Briefe mit Safe-Passwörtern', level: 1 }).waitFor();
    const letters = page.locator('article.safe-letter');
    assert.ok((await letters.count()) >= 2, 'a letter per chosen teacher');
    assert.equal(await letters.filter({ hasText: 'Guten Tag Lena Lehmann,' }).count(), 1);
    await checkA11y(page, `Safe letters (${name})`);
    await shot(page, `admin-safe-letters-${name}`);
    // Printed: no app bar, one letter per page.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.appbar').isVisible(), false);
    assert.equal(await page.locator('.no-print').isVisible(), false);
    const breakAfter = await letters.first().evaluate((el) => getComputedStyle(el).breakAfter);
    assert.equal(breakAfter, 'page');
    await page.emulateMedia({ media: 'screen' });
    await page.goto(`${base}/safe/passwoerter`);
    const lena = page.getByRole('row', { name: /Lena Lehmann/ });
    assert.match(await lena.textContent(), /erzeugt, noch kein eigenes gewählt/);
    await context.close();
  }
});

test('the admin filters the log by action and exports it as CSV', async () => {
  for (const { name, viewport } of WIDTHS) {
    const { context, page } = await signedIn('admin', viewport);
    await page.goto(`${base}/verwaltung/protokoll`);
    assert.equal(await h1(page), 'Protokoll');
    await checkA11y(page, `log (${name})`);
    const filter = page.getByRole('search', { name: 'Protokoll filtern' });
    await filter.getByLabel('Aktion').selectOption({ label: 'Safe-Passwort erzeugt' });
    await filter.getByRole('button', { name: 'Filtern' }).click();
    await page.waitForURL(/aktion=safe_password_set/);
    const rows = page.locator('table.log-table tbody tr');
    assert.ok((await rows.count()) >= 2, 'the generated Safe passwords are logged');
    for (const text of await rows.allTextContents()) {
      assert.match(text, /Safe-Passwort erzeugt/);
      assert.match(text, /Schulleitung \(Funktionskonto\)/);
      assert.doesNotMatch(text, /safe_password_set|UTC/);
    }
    await checkA11y(page, `log filtered (${name})`);
    await shot(page, `admin-log-${name}`);
    const csv = page.getByRole('link', { name: 'Als CSV herunterladen' });
    assert.match(await csv.getAttribute('href'), /^\/verwaltung\/protokoll\.csv\?.*aktion=safe_password_set/);
    const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
    assert.equal(download.suggestedFilename(), 'protokoll.csv');
    const body = await readFile(await download.path(), 'utf8');
    assert.match(body, /"Safe-Passwort erzeugt"/);
    assert.match(body, /"Lena Lehmann"/);
    await context.close();
  }
});

test('the user list shows classes and sorts by a column', async () => {
  for (const { name, viewport } of WIDTHS) {
    const { context, page } = await signedIn('admin', viewport);
    await page.goto(`${base}/verwaltung/benutzer`);
    const table = page.getByRole('table');
    const nameHead = table.getByRole('columnheader', { name: 'Name', exact: true });
    assert.equal(await nameHead.getAttribute('aria-sort'), 'ascending');
    await table.getByRole('link', { name: 'Klasse' }).click();
    await page.waitForURL(/sort=klasse&richtung=auf/);
    const classHead = page.getByRole('columnheader', { name: 'Klasse' });
    assert.equal(await classHead.getAttribute('aria-sort'), 'ascending');
    const byName = page.getByRole('columnheader', { name: 'Name', exact: true });
    assert.equal(await byName.getAttribute('aria-sort'), null);
    // The first rows are 5a's.
    assert.match(await page.locator('table tbody tr').first().textContent(), /5a/);
    await checkA11y(page, `users by class (${name})`);
    await shot(page, `admin-users-${name}`);
    await page.getByRole('link', { name: 'Klasse' }).click();
    await page.waitForURL(/sort=klasse&richtung=ab/);
    assert.equal(
      await page.getByRole('columnheader', { name: 'Klasse' }).getAttribute('aria-sort'),
      'descending',
    );
    await context.close();
  }
});

test('a deep link followed while logged out leads back after the login and the consent', async () => {
  // Each width with a login that has not accepted the terms yet.
  const users = { wide: 'extern', narrow: 'personal' };
  for (const { name, viewport } of WIDTHS) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${base}/konto?von=link`);
    await page.waitForURL(/\/anmelden\?zurueck=/);
    assert.equal(new URL(page.url()).searchParams.get('zurueck'), '/konto?von=link');
    await checkA11y(page, `login from a deep link (${name})`);
    await page.getByLabel('Benutzername oder E-Mail-Adresse').fill(users[name]);
    await page.getByLabel('Passwort').fill('schulhof-demo');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL('**/zustimmung');
    await page.getByLabel('Datenschutzhinweise zur Kenntnis genommen').check();
    await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
    await page.waitForURL((u) => u.pathname === '/konto');
    assert.equal(new URL(page.url()).search, '?von=link');
    assert.equal(await h1(page), 'Mein Konto');
    // Rights in words, by module; none of the modules not built yet.
    await page.getByRole('heading', { name: 'Mein Konto', level: 3 }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'E-Mail', level: 3 }).count(), 1);
    assert.equal(await page.getByRole('heading', { name: 'Kalender', level: 3 }).count(), 0);
    await checkA11y(page, `Mein Konto after the deep link (${name})`);
    await context.close();
  }
});
