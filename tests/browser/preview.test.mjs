// Previews in a real browser, at 1280 and 360 px: a PDF is drawn by pdf.js (served by the
// platform itself) onto a canvas, a picture shows as an image, Markdown is rendered and its
// script never runs. Every page is checked with axe-core.
//
//   SCHULHOF_BIN=/path/to/schulhof npm test

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkA11y, h1, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let dataDir;

before(async () => {
  platform = await startPlatform('preview');
  ({ base, browser, dataDir } = platform);
});

after(async () => {
  await platform?.stop();
});

const okIs = (key) => (u) => u.searchParams.get('ok') === key;
const FOLDER = /\/dateien\/[0-9a-f-]{36}$/;

// A red 1×1 picture.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A one-page PDF with a blue square and a line of text, with a correct cross-reference table. */
function pdf() {
  const content = '0 0 1 rg 72 600 200 120 re f BT /F1 24 Tf 72 540 Td (Hallo aus dem Schulhof) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const MARKDOWN = '# Elternbrief\n\nBitte **bis Freitag** zurückgeben.\n\n- Name\n- Klasse\n\n'
  + '<script>alert("x")</script>\n\n[Klick](javascript:alert(1))\n';

/** The previews' addresses, by file name, after uploading the files to the own area. */
async function uploadAll(page) {
  const files = {
    'Skript.pdf': pdf(),
    'Foto.png': PNG,
    'Elternbrief.md': MARKDOWN,
    'Notizen.txt': 'Einkaufsliste:\n<b>Kreide</b>\nSchwämme\n'.repeat(40),
  };
  const paths = [];
  for (const [name, bytes] of Object.entries(files)) {
    const p = path.join(dataDir, name);
    await writeFile(p, bytes);
    paths.push(p);
  }
  await page.goto(`${base}/dateien`);
  await page.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await page.waitForURL(FOLDER);
  await page.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles(paths);
  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await page.waitForURL(okIs('uploaded'));
  const previews = {};
  for (const name of Object.keys(files)) {
    const href = await page.locator('main a', { hasText: name }).first().getAttribute('href');
    const id = href.match(/[0-9a-f-]{36}/)[0];
    previews[name] = `${base}/dateien/${id}/vorschau`;
  }
  return previews;
}

let previews;

for (const width of [1280, 360]) {
  test(`previews of a PDF, a picture and Markdown at ${width} px`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const dialogs = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    const failures = [];
    page.on('pageerror', (e) => failures.push(String(e)));
    await loginAndConsent(base, page, 'lehrer');
    previews ??= await uploadAll(page);
    // Signed in on a wide screen; the previews are looked at in the width of this run.
    await page.setViewportSize({ width, height: 900 });

    // The file's page links to its preview.
    await page.goto(previews['Skript.pdf'].replace(/\/vorschau$/, ''));
    await page.getByRole('link', { name: 'Vorschau', exact: true }).click();
    await page.waitForURL('**/vorschau');
    assert.equal(await h1(page), 'Skript.pdf');
    const canvas = page.locator('.pdf-view canvas[data-drawn="true"]');
    await canvas.first().waitFor({ timeout: 30_000 });
    assert.equal(await canvas.count(), 1);
    // pdf.js really drew: the blue square is there.
    const blue = await canvas.first().evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i] < 60 && d[i + 1] < 60) n++;
      return n;
    });
    assert.ok(blue > 100, `blue pixels: ${blue}`);
    assert.equal(await canvas.first().getAttribute('aria-label'), 'Seite 1 von 1');
    assert.match(await page.locator('.pdf-status').textContent(), /^1 Seite\.$/);
    const box = await canvas.first().boundingBox();
    assert.ok(box.width <= width, `the page fits: ${box.width}`);
    await checkA11y(page, `PDF preview at ${width}`);
    await shot(page, `preview-pdf-${width}`);

    await page.goto(previews['Foto.png']);
    const img = page.locator('img.preview-image');
    await img.waitFor();
    assert.equal(await img.evaluate((i) => i.complete && i.naturalWidth), 1);
    assert.equal(await img.getAttribute('alt'), 'Bild: Foto.png');
    await checkA11y(page, `image preview at ${width}`);
    await shot(page, `preview-image-${width}`);

    await page.goto(previews['Elternbrief.md']);
    const md = page.locator('.preview-markdown');
    assert.equal((await md.locator('h1').textContent()).trim(), 'Elternbrief');
    assert.equal(await md.locator('strong').textContent(), 'bis Freitag');
    assert.equal(await md.locator('script').count(), 0);
    assert.match(await md.textContent(), /<script>alert\("x"\)<\/script>/);
    assert.equal(await md.getByRole('link', { name: 'Klick' }).getAttribute('href'), '#');
    await checkA11y(page, `Markdown preview at ${width}`);
    await shot(page, `preview-markdown-${width}`);

    await page.goto(previews['Notizen.txt']);
    const text = page.getByRole('region', { name: 'Notizen.txt' });
    assert.match(await text.textContent(), /^Einkaufsliste:\n<b>Kreide<\/b>\nSchwämme/);
    await checkA11y(page, `text preview at ${width}`);

    assert.deepEqual(dialogs, [], 'no script of a user ran');
    assert.deepEqual(failures, [], 'no script errors');
    await context.close();
  });
}

// LibreOffice is optional for an installation; where it is, the server converts office files.
const soffice = (process.env.PATH ?? '').split(':').some((dir) => existsSync(path.join(dir, 'soffice')));

test('an office document is converted in the background and then drawn', {
  skip: !soffice && 'soffice is not installed here (Debian: libreoffice-writer-nogui)',
}, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  const file = path.join(dataDir, 'Brief.rtf');
  await writeFile(file, '{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Liberation Serif;}} \\f0\\fs48 Hallo aus dem Schulhof\\par}');
  await page.goto(`${base}/dateien`);
  await page.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await page.waitForURL(FOLDER);
  await page.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles(file);
  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await page.waitForURL(okIs('uploaded'));
  const href = await page.locator('main a', { hasText: 'Brief.rtf' }).first().getAttribute('href');
  await page.goto(`${base}/dateien/${href.match(/[0-9a-f-]{36}/)[0]}/vorschau`);
  const pending = page.locator('.preview-pending[aria-live="polite"]');
  if (await pending.count()) {
    assert.match(await pending.textContent(), /Die Vorschau wird erstellt/);
    await checkA11y(page, 'conversion in progress');
  }
  // The page asks again by itself and shows the PDF once LibreOffice made it.
  await page.locator('.pdf-view canvas[data-drawn="true"]').first().waitFor({ timeout: 120_000 });
  await checkA11y(page, 'converted office document');
  await shot(page, 'preview-office-1280');
  await context.close();
});
