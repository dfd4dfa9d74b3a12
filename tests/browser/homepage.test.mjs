// The school's public start page and its editor in a real browser: the demo school's start
// page without login (no cookie, fits 360 px, axe clean), the editor (preview without
// saving, publish, visible on the public page), and the tile bar pasted into a static page
// served from another origin: the bar appears, its links lead into the platform, the
// embedding page gets no cookie and the script makes no further request.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let other;
let otherBase;

/** A tiny static server on another port: another origin, with a strict CSP. */
function startOtherOrigin(platformBase) {
  const html = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Website der Schule</title></head>
<body><main><h1>Website der Schule</h1><p>Unsere eigene Seite.</p>
<script src="${platformBase}/schule/100000/kacheln.js" data-farbe="#0b6e4f" data-kompakt></script>
</main></body></html>`;
  const server = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    if (req.url !== '/') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // Scripts only from the platform, no inline styles or scripts, Trusted Types on.
      'content-security-policy': `default-src 'self'; script-src ${platformBase}; style-src 'self'; require-trusted-types-for 'script'`,
    });
    res.end(html);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  platform = await startPlatform('homepage');
  ({ base, browser } = platform);
  other = await startOtherOrigin(base);
  otherBase = `http://127.0.0.1:${other.address().port}`;
});

after(async () => {
  other?.close();
  await platform?.stop();
});

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`the public start page at ${w} px: no login, no cookie, menu, login form, accessible`, async () => {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    const res = await page.goto(`${base}/schule/100000/`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['set-cookie'], undefined);
    assert.match(await page.locator('.hp-school').textContent(), /Demo-Gymnasium/);
    await page.getByRole('navigation', { name: 'Seiten der Schule' }).getByRole('link', { name: 'Über uns' }).waitFor();
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(wide, false, 'nothing scrolls sideways');
    await checkA11y(page, `start page ${w}`);
    await shot(page, `homepage-public-${w}`);
    await page.getByRole('link', { name: 'Über uns' }).click();
    await page.waitForURL(`${base}/schule/100000/seite/ueber-uns`);
    await page.getByRole('heading', { level: 1, name: 'Über uns' }).waitFor();
    await checkA11y(page, `sub-page ${w}`);
    assert.deepEqual(await context.cookies(), [], 'no cookie before login');
    await context.close();
  });
}

test('the login form of the start page logs in with the school preselected', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/schule/100000/`);
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('lehrer');
  await page.getByLabel('Passwort').fill('schulhof-demo');
  await page.locator('#anmelden').getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL((u) => u.pathname === '/' || u.pathname === '/zustimmung');
  assert.ok((await context.cookies()).some((c) => c.name === 'schulhof_session'));
  await context.close();
});

test('the editor previews without saving, publishes, and the page appears publicly', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'personal');
  await page.goto(`${base}/verwaltung/startseite`);
  await checkA11y(page, 'editor');
  await page.getByRole('link', { name: 'Neue Seite' }).click();
  await page.getByLabel('Titel').fill('Mensa');
  await page.getByLabel('Adresse').fill('mensa');
  await page.getByLabel('Text').fill('<p>Heute: <strong>Nudeln</strong></p><script>document.title="x"</script>');
  await page.getByLabel('Veröffentlichen').check();
  await page.getByRole('button', { name: 'Vorschau' }).click();
  const preview = page.getByRole('region', { name: 'Vorschau' });
  await preview.getByText('Nudeln').waitFor();
  assert.equal(await preview.locator('script').count(), 0, 'script stripped in the preview');
  await checkA11y(page, 'editor preview');
  await shot(page, 'homepage-editor-preview');
  const before = await fetch(`${base}/schule/100000/seite/mensa`);
  assert.equal(before.status, 404, 'the preview stored nothing');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL((u) => u.pathname === '/verwaltung/startseite');
  await page.getByRole('link', { name: 'Mensa' }).first().waitFor();
  const anon = await browser.newContext();
  const pub = await anon.newPage();
  await pub.goto(`${base}/schule/100000/`);
  await pub.getByRole('link', { name: 'Mensa' }).click();
  await pub.getByText('Nudeln').waitFor();
  assert.notEqual(await pub.title(), 'x');
  await anon.close();
  await context.close();
});

test('the tile bar on a strict page of another origin: tiles into the platform, no cookie, no request', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${otherBase}/`);
  const bar = page.getByRole('navigation', { name: /Schulplattform – Demo-Gymnasium/ });
  await bar.waitFor();
  const hrefs = await bar.getByRole('link').evaluateAll((as) => as.map((a) => a.href));
  assert.ok(hrefs.length >= 5, `tiles: ${hrefs}`);
  for (const h of hrefs) assert.ok(h.startsWith(`${base}/`), `${h} leads into the platform`);
  assert.ok(hrefs.includes(`${base}/schule/100000/#anmelden`));
  const colour = await bar.getByRole('link').first().evaluate((a) => getComputedStyle(a).backgroundColor);
  assert.equal(colour, 'rgb(11, 110, 79)', 'data-farbe sets the colour');
  const font = await page.evaluate(() => [getComputedStyle(document.body).fontFamily,
    getComputedStyle(document.querySelector('.schulhof-kacheln a')).fontFamily]);
  assert.equal(font[1], font[0], 'the font is the host page\'s');
  assert.deepEqual(errors, [], 'no script or CSP errors');
  assert.deepEqual(requests.filter((u) => u.startsWith(base)), [`${base}/schule/100000/kacheln.js`],
    'the script is the only request to the platform');
  assert.deepEqual(await context.cookies(), [], 'no cookie anywhere');
  await checkA11y(page, 'embedding page');
  await shot(page, 'homepage-tiles');
  await context.close();
});
