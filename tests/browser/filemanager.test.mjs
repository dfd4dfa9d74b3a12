// The file manager in a real browser, at 1280 and at 360 px: a teacher selects files and
// moves them in bulk (and stays in the folder), downloads a selection as ZIP, drags a file
// onto a folder, renames a file in place, and opens the details panel of a file in a
// shared folder, which shows the folder's share as inherited. Every state is checked with
// axe-core.
//
//   SCHULHOF_BIN=/path/to/schulhof node --test filemanager.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let dataDir;

before(async () => {
  platform = await startPlatform('filemanager');
  ({ base, browser, dataDir } = platform);
});

after(async () => {
  await platform?.stop();
});

const okIs = (key) => (u) => u.searchParams.get('ok') === key;
const FOLDER = /\/dateien\/[0-9a-f-]{36}(\?.*)?$/;

async function flash(page) {
  return (await page.locator('.flash').textContent()).trim();
}

/** The own area's page. */
async function ownArea(page) {
  await page.goto(`${base}/dateien`);
  await page.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await page.waitForURL(FOLDER);
  return page.url().split('?')[0];
}

async function mkdir(page, name) {
  await page.getByLabel('Name des Ordners').fill(name);
  await page.getByRole('button', { name: 'Ordner anlegen' }).click();
  await page.waitForURL(okIs('folder_created'));
}

async function uploadFiles(page, files) {
  const paths = [];
  for (const [name, content] of files) {
    const p = path.join(dataDir, name);
    await writeFile(p, content);
    paths.push(p);
  }
  await page.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles(paths);
  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await page.waitForURL(okIs('uploaded'));
}

function list(page) {
  return page.locator('table.fm-table');
}

function row(page, name) {
  return list(page).locator('tbody tr', { has: page.getByRole('link', { name, exact: true }) });
}

async function select(page, name) {
  await page.getByRole('checkbox', { name, exact: true }).check();
}

for (const [width, height] of [[1280, 900], [360, 740]]) {
  test(`bulk move, ZIP, drag and drop, rename in place, details panel at ${width} px`, async () => {
    const w = `${width}`;
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    // Signed in on a wide screen (the narrow one folds the logout button into the menu).
    await loginAndConsent(base, page, 'lehrer');
    await page.setViewportSize({ width, height });
    const own = await ownArea(page);
    await mkdir(page, `Ziel ${w}`);
    await uploadFiles(page, [
      [`eins-${w}.txt`, 'erste Datei'],
      [`zwei-${w}.txt`, 'zweite Datei'],
      [`drei-${w}.txt`, 'dritte'],
    ]);
    await checkA11y(page, `own area with files at ${w}`);
    await shot(page, `filemanager-list-${w}`);

    // The filter hides what does not match, at once.
    await page.getByRole('searchbox', { name: 'In diesem Ordner suchen' }).fill('zwei');
    assert.equal(await row(page, `eins-${w}.txt`).isVisible(), false);
    assert.equal(await row(page, `zwei-${w}.txt`).isVisible(), true);
    await page.getByRole('searchbox', { name: 'In diesem Ordner suchen' }).fill('');

    // ZIP of a selection.
    await select(page, `eins-${w}.txt`);
    await select(page, `zwei-${w}.txt`);
    assert.match(await page.locator('[data-fm-selected]').textContent(), /2 ausgewählt/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Als ZIP herunterladen' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'Auswahl.zip');
    const zip = await readFile(await download.path());
    assert.equal(zip.subarray(0, 2).toString(), 'PK');
    assert.ok(zip.includes(Buffer.from(`eins-${w}.txt`)) && zip.includes(Buffer.from('zweite Datei')));

    // Bulk move: choose the target, move, and be back where one was.
    await page.getByRole('button', { name: 'Verschieben', exact: true }).click();
    await page.waitForURL(/\/auswahl\/ziel\?/);
    await checkA11y(page, `bulk move target at ${w}`);
    await page.locator('.move-folders').getByRole('link', { name: `Ziel ${w}` }).click();
    await page.waitForURL(/ziel=/);
    await page.getByRole('button', { name: 'Hierher verschieben' }).click();
    await page.waitForURL(okIs('bulk_moved'));
    assert.equal(page.url().split('?')[0], own);
    assert.match(await flash(page), /Auswahl ist verschoben/);
    assert.equal(await row(page, `eins-${w}.txt`).count(), 0);

    // Drag and drop onto the folder (from a fresh page, to see the new message arrive).
    await page.goto(own);
    await row(page, `drei-${w}.txt`).dragTo(row(page, `Ziel ${w}`));
    await page.waitForURL(okIs('bulk_moved'));
    assert.equal(await row(page, `drei-${w}.txt`).count(), 0);
    const target = await row(page, `Ziel ${w}`).getByRole('link', { name: `Ziel ${w}`, exact: true }).getAttribute('href');
    await page.goto(new URL(target, base).href);
    for (const n of ['eins', 'zwei', 'drei']) {
      assert.equal(await row(page, `${n}-${w}.txt`).count(), 1, `${n} moved`);
    }

    // Rename in place.
    await row(page, `eins-${w}.txt`).getByRole('button', { name: `Umbenennen: eins-${w}.txt` }).click();
    const input = page.getByRole('textbox', { name: 'Neuer Name' });
    await input.fill(`eins-neu-${w}.txt`);
    await input.press('Enter');
    await page.getByRole('link', { name: `eins-neu-${w}.txt`, exact: true }).waitFor();
    await page.reload();
    assert.equal(await row(page, `eins-neu-${w}.txt`).count(), 1);

    // Share the folder with 5a; the file's details show the share as inherited.
    await page.getByLabel('Gruppe oder Benutzername').fill('5a');
    await page.getByLabel('Rolle', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Freigeben', exact: true }).click();
    await page.waitForURL(okIs('shared'));
    await row(page, `zwei-${w}.txt`).getByRole('link', { name: `Details: zwei-${w}.txt` }).click();
    const panel = page.locator('[data-fm-panel]');
    await panel.waitFor({ state: 'visible' });
    const text = await panel.textContent();
    assert.match(text, /Geerbte Freigaben/);
    assert.match(text, new RegExp(`geerbt von Ordner\\s+Ziel ${w}`));
    assert.match(text, /5a/);
    assert.match(text, /Frühere Versionen|Versionen/);
    await checkA11y(page, `details panel at ${w}`);
    await shot(page, `filemanager-panel-${w}`);
    await panel.getByRole('button', { name: 'Details schließen' }).click();
    assert.equal(await panel.isVisible(), false);
    await ctx.close();
  });
}
