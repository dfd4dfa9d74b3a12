// The file manager in a real browser: a teacher makes a folder in the own area, uploads a
// file through the file input (with the upload script's progress bar) and shares the folder
// with class 5a; the student then finds it under "Mit mir geteilt", reads it and has no
// upload form. Every page is checked with axe-core.
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
  platform = await startPlatform('files');
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
const FOLDER = /\/dateien\/[0-9a-f-]{36}$/;

test('teacher shares a folder with class 5a; the student reads it and cannot upload', async () => {
  const fileName = 'Arbeitsblatt 1.txt';
  const content = 'Aufgabe 1: Rechne 7 · 8.\n';
  const file = path.join(dataDir, fileName);
  await writeFile(file, content);

  const teacher = await browser.newContext();
  const page = await teacher.newPage();
  await login(page, 'lehrer');
  await mainNav(page).getByRole('link', { name: 'Dateien', exact: true }).click();
  await page.waitForURL('**/dateien');
  assert.equal(await h1(page), 'Dateien');
  assert.match(await page.locator('main').textContent(), /\d+ (B|KB) von 5 GB belegt/);
  await checkA11y(page, 'files overview');
  await shot(page, 'files-overview');

  await page.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await page.waitForURL(FOLDER);
  assert.equal(await h1(page), 'Eigene Dateien');
  await checkA11y(page, 'own area, empty');

  await page.getByLabel('Name des Ordners').fill('Mathe 5a');
  await page.getByRole('button', { name: 'Ordner anlegen' }).click();
  await page.waitForURL(okIs('folder_created'));
  assert.match(await flash(page), /Ordner ist angelegt/);
  // A refused upload (a file named like the folder) shows the server's reason in place.
  const clash = path.join(dataDir, 'Mathe 5a');
  await writeFile(clash, 'x');
  await page.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles(clash);
  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  const refusal = page.locator('[data-upload-error] [role=alert]');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /schon einen Ordner mit diesem Namen/);
  await checkA11y(page, 'own area with a refused upload');
  await page.getByRole('link', { name: 'Mathe 5a', exact: true }).click();
  await page.waitForURL(FOLDER);
  assert.equal(await h1(page), 'Mathe 5a');
  const folderUrl = page.url();

  // The upload script is active (it shows the drop hint), sends the form with a progress
  // bar and then shows the folder again.
  assert.ok(await page.getByText('Sie können Dateien auch hierher ziehen.').isVisible());
  await page.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles(file);
  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await page.waitForURL(okIs('uploaded'));
  assert.match(await flash(page), /Hochgeladen/);
  const entries = page.getByRole('table', { name: 'Mathe 5a' });
  assert.match(await entries.textContent(), /Arbeitsblatt 1\.txt/);

  await page.getByLabel('Gruppe oder Benutzername').fill('5a');
  await page.getByLabel('Rolle', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Freigeben', exact: true }).click();
  await page.waitForURL(okIs('shared'));
  assert.match(await flash(page), /Freigabe ist eingetragen/);
  const grants = page.getByRole('table', { name: 'Freigegeben für' });
  assert.match(await grants.textContent(), /5a.*Gruppe.*Lesen/s);
  await checkA11y(page, 'folder with a file and a share');
  await shot(page, 'files-folder-teacher');

  // With the file manager's script, Details opens the panel beside the list; the link
  // itself leads to the file's page.
  const details = page.getByRole('link', { name: 'Details: Arbeitsblatt 1.txt' });
  await page.goto(new URL(await details.getAttribute('href'), base).href);
  await page.waitForURL(FOLDER);
  assert.equal(await h1(page), fileName);
  await checkA11y(page, 'file page');
  await page.goto(folderUrl);
  await page.getByRole('link', { name: 'Papierkorb dieses Bereichs' }).click();
  await page.waitForURL('**/dateien/papierkorb?bereich=own');
  assert.equal(await h1(page), 'Papierkorb: Eigene Dateien');
  await checkA11y(page, 'trash');

  await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await teacher.close();

  const student = await browser.newContext({ acceptDownloads: true });
  const p = await student.newPage();
  await login(p, 'schueler');
  await mainNav(p).getByRole('link', { name: 'Dateien', exact: true }).click();
  await p.waitForURL('**/dateien');
  assert.doesNotMatch(await p.locator('main').textContent(), /Lehrerbereich/);
  const shared = p.locator('section', { has: p.getByRole('heading', { name: 'Mit mir geteilt' }) });
  await checkA11y(p, 'files overview of the student');
  await shared.getByRole('link', { name: 'Mathe 5a', exact: true }).click();
  await p.waitForURL(FOLDER);
  assert.equal(p.url(), folderUrl);
  assert.equal(await h1(p), 'Mathe 5a');
  assert.match(await p.getByRole('table', { name: 'Mathe 5a' }).textContent(), /Arbeitsblatt 1\.txt/);
  // Read-only: no upload, no new folder, no sharing.
  assert.equal(await p.locator('input[type=file]').count(), 0);
  assert.equal(await p.getByRole('button', { name: 'Hochladen' }).count(), 0);
  assert.equal(await p.getByRole('heading', { name: 'Neuer Ordner' }).count(), 0);
  assert.equal(await p.getByRole('heading', { name: 'Freigaben' }).count(), 0);
  await checkA11y(p, 'shared folder, read-only');
  await shot(p, 'files-folder-student');

  const [download] = await Promise.all([
    p.waitForEvent('download'),
    p.getByRole('link', { name: fileName, exact: true }).click(),
  ]);
  assert.equal(download.suggestedFilename(), fileName);
  assert.equal(await readFile(await download.path(), 'utf8'), content);
  await student.close();
});
