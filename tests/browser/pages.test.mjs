// The pages in a real browser: starts the schulhof binary with the demo school, drives
// Debian's Chromium through the main flows and checks each page with axe-core.
//
//   SCHULHOF_BIN=/path/to/schulhof npm test
//
// Screenshots land in ./screenshots (not committed) for a look by eye.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkA11y, h1, loginAt, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let dataDir;

before(async () => {
  platform = await startPlatform('pages');
  ({ base, browser, dataDir } = platform);
});

after(async () => {
  await platform?.stop();
});

async function login(page, user) {
  await loginAt(base, page, user);
}

async function acceptConsent(page) {
  await page.waitForURL('**/zustimmung');
  await page.getByLabel('Datenschutzhinweise zur Kenntnis genommen').check();
  await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
  await page.waitForURL((u) => u.pathname === '/');
}

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Hauptnavigation' });
}

test('teacher: login, consent, home, Mein Konto, language switch, logout', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  await checkA11y(page, 'login page');
  await shot(page, 'login');

  // A wrong password: the form comes back with the message and still passes.
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('lehrer');
  await page.getByLabel('Passwort').fill('falsch-falsch');
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
  await page.waitForURL('**/anmelden');
  assert.match(await page.getByRole('alert').textContent(), /Passwort stimmen nicht/);
  await checkA11y(page, 'login page with an error');

  await login(page, 'lehrer');
  await page.waitForURL('**/zustimmung');
  assert.equal(await h1(page), 'Nutzungsbedingungen und Datenschutz');
  await checkA11y(page, 'consent page');
  await shot(page, 'consent');
  await acceptConsent(page);

  assert.equal(await h1(page), 'Willkommen, Lena Lehmann');
  assert.match(await page.getByRole('status').textContent(), /zugestimmt/);
  await checkA11y(page, 'home');
  await shot(page, 'home');

  await mainNav(page).getByRole('link', { name: 'Mein Konto' }).click();
  await page.waitForURL('**/konto');
  assert.equal(await h1(page), 'Mein Konto');
  const groups = await page
    .locator('section', { has: page.getByRole('heading', { name: 'Meine Gruppen' }) })
    .textContent();
  assert.match(groups, /5a/);
  await checkA11y(page, 'Mein Konto');
  await shot(page, 'konto');

  await mainNav(page).getByRole('link', { name: 'Meine Gruppen' }).click();
  await page.waitForURL('**/gruppen');
  assert.equal(await h1(page), 'Meine Gruppen');
  await checkA11y(page, 'Meine Gruppen');
  await page.getByRole('link', { name: 'Passwort zurücksetzen: Sophie Schüler' }).click();
  assert.equal(await h1(page), 'Passwort zurücksetzen?');
  await checkA11y(page, 'confirm the password reset');
  await page.getByRole('button', { name: 'Passwort zurücksetzen' }).click();
  assert.equal(await h1(page), 'Passwort zurückgesetzt');
  await checkA11y(page, 'password shown once');
  await page.goto(`${base}/konto`);

  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL('**/konto');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await h1(page), 'My account');
  await checkA11y(page, 'Mein Konto in English');

  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/');
  assert.match(await page.getByRole('status').textContent(), /You are logged out/);
  await context.close();
});

test('admin: login, consent, user list and search', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, 'admin');
  await acceptConsent(page);
  await mainNav(page).getByRole('link', { name: 'Benutzerverwaltung' }).click();
  await page.waitForURL('**/verwaltung/benutzer');
  assert.equal(await h1(page), 'Benutzerverwaltung');
  await checkA11y(page, 'user list');
  await shot(page, 'users');

  await page.getByLabel('Suche (Name, Benutzername, E-Mail)').fill('lehm');
  await page.getByRole('button', { name: 'Suchen' }).click();
  await page.waitForURL('**/verwaltung/benutzer?q=lehm*');
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /Lena Lehmann/);
  await checkA11y(page, 'user list after search');

  await page.getByRole('link', { name: 'Lena Lehmann' }).click();
  await page.waitForURL('**/verwaltung/benutzer/lehrer');
  await checkA11y(page, 'user card');
  await shot(page, 'user-card');

  // Granting an O-right works; a right the matrix never allows is refused with the reason.
  await page.goto(`${base}/verwaltung/benutzer/schueler`);
  await page.getByRole('button', { name: 'Erteilen: Neuigkeiten schreiben' }).click();
  await page.waitForURL('**/verwaltung/benutzer/schueler?ok=right_granted*');
  await page.getByLabel('Kennung des Rechts').fill('files.staff.read');
  await page.getByRole('button', { name: 'Erteilen', exact: true }).click();
  const refusal = page.getByRole('alert');
  assert.match(await refusal.textContent(), /nie erteilbar/);
  await checkA11y(page, 'user card with a refused right');

  for (const [link, heading] of [['Gruppen', 'Gruppen'], ['Protokoll', 'Protokoll']]) {
    await mainNav(page).getByRole('link', { name: link, exact: true }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/verwaltung/'));
    assert.equal(await h1(page), heading);
    await checkA11y(page, heading);
  }
  await context.close();
});

test('narrow screens: the pages fit 360 px without sideways scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok((await overflow()) <= 360, `login page is ${await overflow()} px wide`);
  await shot(page, 'login-360');
  await login(page, 'schulleitung');
  await acceptConsent(page);
  assert.ok((await overflow()) <= 360, `home is ${await overflow()} px wide`);
  await page.goto(`${base}/verwaltung/benutzer`);
  assert.ok((await overflow()) <= 360, `user list is ${await overflow()} px wide`);
  await checkA11y(page, 'user list at 360 px');
  await shot(page, 'users-360');
  await context.close();
});

/** A small Schild-NRW export for the demo school: two pupils of 05A, one teacher. */
function schildExport() {
  const person = (id, family, given, role, grade) => `
  <person recstatus="1">
    <sourcedid><source>SCHILDNRW-2.0.33.1</source><id>${id}</id></sourcedid>
    <name><fn>${family} ${given}</fn><n><family>${family}</family><given>${given}</given></n></name>
    <email></email>
    <institutionrole institutionroletype="${role}"/>
    <extension><x-schildnrw-person-state>2</x-schildnrw-person-state>${grade ? `<x-schildnrw-grade>${grade}</x-schildnrw-grade>` : ''}</extension>
  </person>`;
  const group = (id, level, name) => `
  <group><sourcedid><id>${id}</id></sourcedid><grouptype><typevalue level="${level}">x</typevalue></grouptype>
    <description><short>${name}</short></description></group>`;
  const member = (id) => `<member><sourcedid><id>${id}</id></sourcedid><idtype>1</idtype></member>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<enterprise xmlns="http://www.metaventis.com/ns/cockpit/sync/1.0">
  <properties><datasource>SCHILDNRW-2.0.33.1</datasource></properties>
  ${person('ID-100000-1', 'Schäfer', 'Mia', 'Student', '05A')}
  ${person('ID-100000-2', 'Öztürk', 'Emre Can', 'Student', '05A')}
  ${person('ID-100000-L1', 'Brandt', 'Jonas', 'Faculty', '')}
  ${group('TR', 1, 'Stadt')}${group('SN', 2, '100000')}
  ${group('K05A-S', 3, 'Klasse 05A - Schueler')}${group('K05A-L', 3, 'Klasse 05A - Lehrer')}
  <membership><sourcedid><id>K05A-S</id></sourcedid>${member('ID-100000-1')}${member('ID-100000-2')}</membership>
  <membership><sourcedid><id>K05A-L</id></sourcedid>${member('ID-100000-L1')}</membership>
</enterprise>`;
}

async function loginAdmin(page) {
  await login(page, 'admin');
  await page.waitForURL((u) => u.pathname === '/' || u.pathname === '/zustimmung');
  if (new URL(page.url()).pathname === '/zustimmung') await acceptConsent(page);
}

test('admin: import a Schild export, preview, apply, print letters; a pupil logs in', async () => {
  const file = path.join(dataDir, 'SchildExport.xml');
  await writeFile(file, schildExport());
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await loginAdmin(page);
  await mainNav(page).getByRole('link', { name: 'Import', exact: true }).click();
  await page.waitForURL('**/verwaltung/import');
  await checkA11y(page, 'import upload');
  await page.getByLabel('Schild-NRW (XML oder ZIP)').check();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.getByRole('button', { name: 'Hochladen und Vorschau zeigen' }).click();
  await page.waitForURL(/\/verwaltung\/import\/[0-9a-f-]+$/);
  assert.match(await h1(page), /^Vorschau/);
  const preview = await page.locator('main').textContent();
  assert.match(preview, /mia\.schaefer@100000\.nrw\.schule/);
  assert.match(preview, /Klasse 05A - Schueler/);
  await checkA11y(page, 'import preview');
  await shot(page, 'import-preview');

  await page.getByLabel('Passwort für das Protokoll').fill('protokoll-geheim');
  await page.getByLabel('Passwort wiederholen').fill('protokoll-geheim');
  await page.getByRole('button', { name: 'Import ausführen' }).click();
  // The progress page reloads itself until the import is done.
  await page.waitForFunction(() => document.querySelector('h1')?.textContent.startsWith('Import ausgeführt'), null, { timeout: 30_000 });
  await checkA11y(page, 'import result');
  await shot(page, 'import-result');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Importprotokoll herunterladen (ZIP)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^importprotokoll-.*\.zip$/);

  await page.getByLabel('Passwort für das Protokoll').fill('protokoll-geheim');
  await page.getByRole('button', { name: 'Briefe anzeigen' }).click();
  const letter = page.locator('article.letter').filter({ hasText: 'mia.schaefer' });
  assert.equal(await letter.count(), 1);
  const initial = (await letter.locator('code.secret').textContent()).trim();
  assert.match(initial, /^[A-Za-z0-9]{12}$/);
  await checkA11y(page, 'letters');
  await shot(page, 'letters');
  await context.close();

  // The pupil signs in with the letter's password and must choose a new one first.
  const pupil = await browser.newContext();
  const p = await pupil.newPage();
  await p.goto(`${base}/`);
  if (await p.locator('#schule').count()) await p.fill('#schule', '100000');
  await p.getByLabel('Benutzername oder E-Mail-Adresse').fill('mia.schaefer');
  await p.getByLabel('Passwort').fill(initial);
  await p.getByRole('button', { name: 'Anmelden', exact: true }).click();
  await p.waitForURL('**/konto/passwort-setzen');
  await pupil.close();
});

test('admin: deletion periods and school year pages are accessible', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAdmin(page);
  for (const [link, heading] of [['Löschfristen', 'Löschfristen'], ['Schuljahr', 'Schuljahr']]) {
    await mainNav(page).getByRole('link', { name: link, exact: true }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/verwaltung/'));
    assert.match(await h1(page), new RegExp(heading));
    await checkA11y(page, heading);
  }
  await page.getByRole('button', { name: /Vorschau/ }).click();
  await page.waitForURL('**/verwaltung/schuljahr?*');
  assert.match(await page.locator('main').textContent(), /Klasse 05A - Schueler/);
  await checkA11y(page, 'school year preview');
  await context.close();
});
