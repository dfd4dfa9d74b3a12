// Resumable uploads in a real browser: a large file whose upload was interrupted earlier
// (its first 5 MiB are on the server) is chosen again; the upload script finds the
// unfinished upload, survives one more broken connection and sends only the rest. The
// stored file is compared byte for byte.
//
//   SCHULHOF_BIN=/path/to/schulhof npm test

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkA11y, h1, loginAndConsent, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let dataDir;

before(async () => {
  platform = await startPlatform('uploads');
  ({ base, browser, dataDir } = platform);
});

after(async () => {
  await platform?.stop();
});

const MIB = 1024 * 1024;
const FOLDER = /\/dateien\/[0-9a-f-]{36}$/;

test('an interrupted large upload goes on where it stopped, after a reload and a broken connection', async () => {
  const name = 'Projektfilm.bin';
  const bytes = randomBytes(12 * MIB + 321);
  const file = path.join(dataDir, name);
  await writeFile(file, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');

  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/dateien`);
  await page.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await page.waitForURL(FOLDER);
  assert.equal(await h1(page), 'Eigene Dateien');
  const folderUrl = page.url();
  const input = page.getByLabel(/^Dateien( \(Pflichtfeld\))?$/);
  await input.setInputFiles(file);

  // An earlier attempt got 5 MiB across before the page was closed: as the script leaves it.
  const sent = await page.evaluate(async (half) => {
    const form = document.querySelector('form[data-upload]');
    const folder = form.dataset.folder;
    const chosen = form.querySelector('input[type=file]').files[0];
    const b64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
    const created = await fetch('/api/v1/uploads', {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': String(chosen.size),
        'Upload-Metadata': `filename ${b64(chosen.name)},folder ${b64(folder)}`,
      },
    });
    if (created.status !== 201) throw new Error(`announce: ${created.status}`);
    const url = created.headers.get('Location');
    const piece = await fetch(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: chosen.slice(0, half),
    });
    if (piece.status !== 204) throw new Error(`first piece: ${piece.status}`);
    localStorage.setItem(
      `schulhof-upload:${folder}:${chosen.name}:${chosen.size}:${chosen.lastModified}`, url);
    return Number(piece.headers.get('Upload-Offset'));
  }, 5 * MIB);
  assert.equal(sent, 5 * MIB);

  // The first piece the script sends now breaks off; it must ask where to go on and retry.
  const offsets = [];
  let broken = false;
  await page.route('**/api/v1/uploads/*', async (route) => {
    const req = route.request();
    if (req.method() === 'PATCH') {
      offsets.push(Number(req.headers()['upload-offset']));
      if (!broken) {
        broken = true;
        return route.abort('connectionreset');
      }
    }
    return route.continue();
  });

  await page.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'uploaded', { timeout: 60_000 });
  assert.deepEqual(offsets, [5 * MIB, 5 * MIB], 'both pieces start after what the server kept');
  assert.match(await page.getByRole('table', { name: 'Eigene Dateien' }).textContent(), /Projektfilm\.bin/);
  await checkA11y(page, 'own area after a resumed upload');

  const stored = await page.evaluate(async ({ folderUrl, name }) => {
    const folder = folderUrl.split('/').pop();
    const listing = await (await fetch(`/api/v1/files/${folder}`)).json();
    const entry = listing.children.find((e) => e.name === name);
    const content = await (await fetch(`/api/v1/files/${entry.id}/content`)).arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', content);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { size: entry.size, sha: hex, left: Object.keys(localStorage).length };
  }, { folderUrl, name });
  assert.equal(stored.size, bytes.length);
  assert.equal(stored.sha, sha, 'the stored file is the chosen one, byte for byte');
  assert.equal(stored.left, 0, 'the finished upload is forgotten in the browser');
  await context.close();
});
