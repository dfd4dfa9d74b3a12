// The address book in a real browser at 1280 px and 360 px: the teacher creates a contact,
// imports a vCard file whose error is shown with its line number (nothing stored), imports
// the corrected file and exports the book. Nothing scrolls sideways and axe is clean on
// every page.
//
//   cargo build -p schulhof && node --test contacts.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('contacts');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

async function fits(page, w, what) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= w, `${what}: the page is ${scroll} px wide at ${w} px`);
}

async function checked(page, w, what) {
  await fits(page, w, what);
  await checkA11y(page, `${what} (${w} px)`);
  await shot(page, `contacts-${what.replaceAll(' ', '-')}-${w}`);
}

const card = (fn, extra = '') =>
  `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${fn}\r\nN:${fn.split(' ').reverse().join(';')};;;\r\n${extra}END:VCARD\r\n`;

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`at ${w} px: create, import with a line error, export`, async () => {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    await loginAndConsent(base, page, 'lehrer');

    await page.goto(`${base}/adressbuch`);
    await checked(page, w, 'books');
    await page.getByRole('link', { name: 'Persönliches Adressbuch' }).first().click();
    await page.getByRole('link', { name: 'Neuer Kontakt' }).waitFor();
    const book = new URL(page.url()).pathname;
    await checked(page, w, 'book');

    // A new contact through the form.
    await page.getByRole('link', { name: 'Neuer Kontakt' }).click();
    await page.getByLabel('Vorname', { exact: true }).fill(`Greta${w}`);
    await page.getByLabel('Nachname', { exact: true }).fill('Garten');
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(`greta${w}@example.org`);
    await checked(page, w, 'contact form');
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await page.getByText(`greta${w}@example.org`).first().waitFor();
    await checked(page, w, 'contact');

    // An import with an unreadable line: the error names its line, nothing is stored.
    const broken = card(`Import Gut${w}`) + `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Import Kaputt${w}\r\nDas ist keine vCard-Zeile\r\nEND:VCARD\r\n`;
    await page.goto(`${base}${book}/import`);
    await page.getByLabel('vCard-Datei (.vcf)').setInputFiles({
      name: 'kontakte.vcf', mimeType: 'text/vcard', buffer: Buffer.from(broken),
    });
    await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
    const errors = page.getByRole('table', { name: 'Fehler in der Datei' });
    await errors.waitFor();
    assert.match(await errors.textContent(), /Zeile 9/, 'the bad line is named by its number');
    await checked(page, w, 'import errors');
    await page.goto(`${base}${book}?q=Import`);
    assert.equal(await page.getByText(`Import Gut${w}`).count(), 0, 'nothing was stored');

    // The corrected file: preview, then import.
    await page.goto(`${base}${book}/import`);
    const good = card(`Import Gut${w}`) + card(`Import Zwei${w}`, `EMAIL:zwei${w}@example.org\r\n`);
    await page.getByLabel('vCard-Datei (.vcf)').setInputFiles({
      name: 'kontakte.vcf', mimeType: 'text/vcard', buffer: Buffer.from(good),
    });
    await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
    await page.getByRole('table', { name: 'Kontakte in der Datei' }).waitFor();
    await checked(page, w, 'import preview');
    await page.getByRole('button', { name: 'Jetzt importieren' }).click();
    await page.getByText(/2 neu angelegt/).first().waitFor();
    await checked(page, w, 'import done');

    // The export holds the form's contact and the imported ones.
    await page.goto(`${base}${book}`);
    const href = await page.getByRole('link', { name: 'Exportieren (.vcf)' }).getAttribute('href');
    const resp = await page.request.get(new URL(href, page.url()).toString());
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-type'], /text\/vcard/);
    const text = await resp.text();
    for (const name of [`Greta${w}`, `Import Gut${w}`, `Import Zwei${w}`]) {
      assert.ok(text.includes(name), `${name} is exported`);
    }
    await context.close();
  });
}
