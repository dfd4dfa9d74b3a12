// Share links and the Daten-Safe in a real browser: a teacher shares a file by a link with
// a password, and a visitor without a login opens it (wrong password first) and downloads
// it; the Schulleitung generates a Safe password, the teacher opens the Safe with it,
// writes a document in the online editor, waits for the autosave and finds the text again
// after reloading. The link pages, the Safe's door and the editor are checked with axe-core.
//
//   SCHULHOF_BIN=/path/to/schulhof npm test

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkA11y, h1, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let dataDir;

before(async () => {
  platform = await startPlatform('safe');
  ({ base, browser, dataDir } = platform);
});

after(async () => {
  await platform?.stop();
});

async function login(page, user) {
  await loginAndConsent(base, page, user);
}

function mainNav(page) {
  return page.getByRole('navigation', { name: 'Hauptnavigation' });
}

/** The message shown after a redirect (`?ok=…`). */
async function flash(page) {
  return (await page.locator('.flash').textContent()).trim();
}

const okIs = (key) => (u) => u.searchParams.get('ok') === key;
const NODE = /\/dateien\/[0-9a-f-]{36}$/;
const REQUIRED = (label) => new RegExp(`^${label}( \\(Pflichtfeld\\))?$`);

test('a visitor opens a password link, is refused a wrong password and downloads the file', async () => {
  const fileName = 'Elternbrief Klassenfahrt.txt';
  const content = 'Liebe Eltern,\ndie Klassenfahrt beginnt am Montag um 8 Uhr.\n';
  const file = path.join(dataDir, fileName);
  await writeFile(file, content);
  const linkPassword = 'sommer-2031';

  const teacher = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await teacher.newPage();
  await login(page, 'lehrer');
  await mainNav(page).getByRole('link', { name: 'Dateien', exact: true }).click();
  await page.waitForURL('**/dateien');
  await page.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await page.waitForURL(NODE);
  await page.getByLabel(REQUIRED('Dateien')).setInputFiles(file);
  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await page.waitForURL(okIs('uploaded'));
  // The Details link opens a panel beside the list; its address is the file's page.
  const details = page.getByRole('link', { name: `Details: ${fileName}` });
  await page.goto(new URL(await details.getAttribute('href'), base).href);
  await page.waitForURL(NODE);
  assert.equal(await h1(page), fileName);
  const links = page.locator('section', { has: page.getByRole('heading', { name: 'Links für Externe' }) });
  assert.match(await links.textContent(), /keine Links/);
  await checkA11y(page, 'file page with links and metadata');

  await page.getByLabel('Passwort (freiwillig)').fill(linkPassword);
  await page.getByRole('button', { name: 'Link erstellen', exact: true }).click();
  await page.waitForURL('**/links');
  assert.equal(await h1(page), `Link für „${fileName}“ erstellt`);
  const url = await page.getByLabel('Adresse des Links').inputValue();
  assert.ok(url.startsWith(`${base}/l/`), url);
  // The copy button appears with JavaScript, copies the address and says so.
  await page.getByRole('button', { name: 'Adresse kopieren' }).click();
  await page.locator('#link-url-status').filter({ hasText: 'Adresse kopiert.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  await checkA11y(page, 'link created');
  await shot(page, 'link-created');
  await page.getByRole('link', { name: 'Zurück', exact: true }).click();
  await page.waitForURL(NODE);
  assert.match(await page.getByRole('table', { name: 'Links zu diesem Eintrag' }).textContent(), /Lesen.*Ja/s);
  await teacher.close();

  // A visitor: no login, a fresh browser.
  const visitor = await browser.newContext({ acceptDownloads: true });
  const v = await visitor.newPage();
  await v.goto(url);
  assert.equal(await h1(v), 'Geschützter Link');
  assert.doesNotMatch(await v.locator('main').textContent(), /Elternbrief/);
  assert.equal(await mainNav(v).count(), 0);
  await checkA11y(v, 'link password form');
  await v.getByLabel(REQUIRED('Passwort')).fill('falsch-geraten');
  await v.getByRole('button', { name: 'Öffnen', exact: true }).click();
  const error = v.locator('.field-error');
  await error.waitFor();
  assert.match(await error.textContent(), /Das Passwort stimmt nicht\./);
  assert.equal(await v.getByLabel(REQUIRED('Passwort')).getAttribute('aria-invalid'), 'true');
  await checkA11y(v, 'link password form with an error');
  await shot(v, 'link-password-wrong');

  await v.getByLabel(REQUIRED('Passwort')).fill(linkPassword);
  await v.getByRole('button', { name: 'Öffnen', exact: true }).click();
  // Back at the same address, now with the file.
  await v.getByRole('heading', { name: fileName }).waitFor();
  assert.equal(v.url(), url);
  assert.match(await v.locator('main').textContent(), /Demo-Gymnasium/);
  await checkA11y(v, 'link to a file');
  await shot(v, 'link-file');

  // The browser keeps the key for this link: the download answers 200 with the bytes.
  const direct = await visitor.request.get(`${url}/herunterladen`);
  assert.equal(direct.status(), 200);
  assert.equal(await direct.text(), content);
  const [download] = await Promise.all([
    v.waitForEvent('download'),
    v.getByRole('link', { name: 'Herunterladen', exact: true }).click(),
  ]);
  assert.equal(download.suggestedFilename(), fileName);
  assert.equal(await readFile(await download.path(), 'utf8'), content);
  await visitor.close();

  // Without the password nothing comes out.
  const stranger = await fetch(`${url}/herunterladen`);
  assert.equal(stranger.status, 200);
  assert.match(await stranger.text(), /Geschützter Link/);
});

test('the Schulleitung gives a Safe password; the teacher writes a document in the Safe', async () => {
  const head = await browser.newContext();
  const hp = await head.newPage();
  await login(hp, 'schulleitung');
  await mainNav(hp).getByRole('link', { name: 'Safe', exact: true }).click();
  await hp.waitForURL('**/safe');
  assert.equal(await h1(hp), 'Daten-Safe');
  await hp.getByRole('link', { name: 'Safe-Passwörter erzeugen' }).click();
  await hp.waitForURL('**/safe/passwoerter');
  await checkA11y(hp, 'Safe passwords');
  await hp.getByLabel(REQUIRED('Benutzername')).fill('lehrer');
  await hp.getByRole('button', { name: 'Safe-Passwort erzeugen' }).click();
  // The answer comes at the same address: wait for its heading.
  await hp.getByRole('heading', { name: 'Neues Safe-Passwort für lehrer' }).waitFor();
  const safePassword = (await hp.locator('code.secret').textContent()).trim();
  assert.equal(safePassword.length, 16);
  await checkA11y(hp, 'Safe password shown');
  await head.close();

  const teacher = await browser.newContext();
  const page = await teacher.newPage();
  await login(page, 'lehrer');
  await mainNav(page).getByRole('link', { name: 'Safe', exact: true }).click();
  await page.waitForURL('**/safe');
  assert.equal(await h1(page), 'Daten-Safe');
  assert.ok(await page.getByRole('heading', { name: 'Safe öffnen' }).isVisible());
  assert.match(await page.locator('main').textContent(), /nach 10 Minuten ohne Nutzung/);
  await checkA11y(page, 'Safe unlock');
  await shot(page, 'safe-unlock');
  await page.getByLabel(REQUIRED('Safe-Passwort')).fill(safePassword);
  await page.getByRole('button', { name: 'Safe öffnen', exact: true }).click();
  await page.waitForURL(okIs('safe_opened'));
  assert.match(await flash(page), /Safe ist geöffnet/);

  await page.locator('.tiles').getByRole('link', { name: 'Mein Safe-Bereich' }).click();
  await page.waitForURL(/\/safe\/[0-9a-f-]{36}$/);
  assert.equal(await h1(page), 'Mein Safe-Bereich');
  await checkA11y(page, 'own Safe area');
  await page.getByLabel(REQUIRED('Titel')).fill('Förderplan Anna');
  await page.getByRole('button', { name: 'Dokument anlegen' }).click();
  await page.waitForURL(/\/bearbeiten\?ok=doc_created$/);
  assert.equal(await h1(page), 'Förderplan Anna.html');

  const editor = page.getByRole('textbox', { name: 'Text des Dokuments' });
  await editor.waitFor();
  const toolbar = page.getByRole('toolbar', { name: 'Formatierung' });
  assert.equal(await toolbar.getByRole('button').count(), 9);
  await checkA11y(page, 'Safe editor');
  await editor.click();
  await page.keyboard.type('Lesen üben: täglich zehn Minuten.');
  await toolbar.getByRole('button', { name: 'Fett' }).click();
  assert.equal(await toolbar.getByRole('button', { name: 'Fett' }).getAttribute('aria-pressed'), 'true');
  await page.keyboard.type(' Wichtig!');
  const status = page.getByRole('status').filter({ hasText: /Gespeichert um \d\d:\d\d:\d\d/ });
  await status.waitFor({ timeout: 15_000 });
  await checkA11y(page, 'Safe editor after saving');
  await shot(page, 'safe-editor');

  // Keyboard: one tab stop for the toolbar, arrow keys move inside it.
  await toolbar.getByRole('button', { name: 'Fett' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(
    await page.evaluate(() => document.activeElement.textContent.trim()),
    'Kursiv',
  );

  await page.reload();
  await editor.waitFor();
  const text = await editor.textContent();
  assert.match(text, /Lesen üben: täglich zehn Minuten\.\sWichtig!/);
  assert.equal(await editor.locator('b, strong').count(), 1);

  // A grade list: a table from the toolbar, a row more, names and grades in its cells.
  const saved = () => page.waitForResponse(
    (r) => r.url().endsWith('/speichern') && r.status() === 204, { timeout: 15_000 });
  await editor.click();
  await page.keyboard.press('Control+End');
  await toolbar.getByRole('button', { name: 'Tabelle' }).click();
  assert.equal(await editor.locator('table th').count(), 3);
  await editor.locator('table tbody td').first().click();
  await page.keyboard.type('Anna');
  await toolbar.getByRole('button', { name: 'Zeile +' }).click();
  assert.equal(await editor.locator('table tbody tr').count(), 3);
  await saved();
  assert.match(await page.locator('[data-countdown]').textContent(), /sperrt sich der Safe in \d+:\d\d/);

  // Locked meanwhile (here from another tab): the change stays in the page, the Safe opens
  // in place, and then the change is saved.
  const other = await teacher.newPage();
  await other.goto(`${base}/safe`);
  await other.getByRole('button', { name: 'Safe sperren' }).click();
  await other.waitForURL(okIs('safe_locked'));
  await other.close();
  await editor.locator('table tbody tr').first().locator('td').nth(1).click();
  await page.keyboard.type('2+');
  await page.getByRole('heading', { name: 'Safe wieder öffnen und speichern' }).waitFor({ timeout: 15_000 });
  await checkA11y(page, 'Safe editor, locked while writing');
  await page.locator('#editor-unlock-password').fill(safePassword);
  const afterUnlock = saved();
  await page.getByRole('button', { name: 'Öffnen und speichern' }).click();
  await afterUnlock;
  await page.reload();
  await editor.waitFor();
  const cells = await editor.locator('table tbody tr').first().locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 2).map((t) => t.trim()), ['Anna', '2+']);

  // Printed (or saved as PDF) it is the document alone.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await toolbar.isVisible(), false);
  assert.equal(await page.locator('.site-header, header').first().isVisible(), false);
  await page.emulateMedia({ media: 'screen' });

  await page.getByRole('button', { name: 'Safe sperren' }).click();
  await page.waitForURL(okIs('safe_locked'));
  assert.ok(await page.getByRole('heading', { name: 'Safe öffnen' }).isVisible());
  await teacher.close();
});
