// News in a real browser: the Sekretariat writes an item for class 5a with a preview and
// publishes it; the student finds it marked unread, opens it, and the mark is gone; a
// teacher outside the audience never sees it. Every page is checked with axe, also at 360 px.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('news');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

const TITLE = 'Wandertag der 5a';

test('the Sekretariat previews and publishes an item for class 5a', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'sekretariat');
  await page.goto(`${base}/neuigkeiten/neu`);
  await checkA11y(page, 'news editor');
  await page.getByLabel('Titel', { exact: true }).fill(TITLE);
  await page.getByLabel('Text', { exact: true })
    .fill('<p>Am <strong>Freitag</strong> wandern wir zum Wildpark.</p><script>alert(1)</script>');
  await page.getByLabel('Nur für bestimmte Gruppen, Personen oder Kontoarten').check();
  await page.locator('fieldset').filter({ hasText: 'Gruppen (bei Einschränkung)' })
    .getByLabel('5a', { exact: true }).check();
  await page.getByRole('button', { name: 'Vorschau' }).click();
  const preview = page.locator('.news-preview');
  await preview.waitFor();
  assert.match(await preview.innerHTML(), /<strong>Freitag<\/strong>/);
  assert.doesNotMatch(await preview.innerHTML(), /<script/);
  await checkA11y(page, 'news editor with preview');
  await page.getByRole('button', { name: 'Veröffentlichen' }).click();
  await page.getByText('Die Neuigkeit wurde gespeichert.').waitFor();
  await page.goto(`${base}/neuigkeiten/verfasst`);
  await page.getByRole('link', { name: TITLE }).waitFor();
  await checkA11y(page, 'news written by me');
  await context.close();
});

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`the student sees the item unread, reads it, and the mark goes (${w} px)`, async () => {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    await loginAndConsent(base, page, 'schueler');
    await page.goto(`${base}/neuigkeiten`);
    const card = page.locator('.news-card').filter({ hasText: TITLE });
    if (w === 1280) {
      await card.locator('.badge-new').waitFor();
    }
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(wide, false, 'nothing scrolls sideways');
    await checkA11y(page, `news list ${w}`);
    await card.getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    assert.equal(await page.locator('script', { hasText: 'alert(1)' }).count(), 0);
    await checkA11y(page, `news item ${w}`);
    await shot(page, `news-item-${w}`);
    await page.goto(`${base}/neuigkeiten`);
    assert.equal(
      await page.locator('.news-card').filter({ hasText: TITLE }).locator('.badge-new').count(),
      0,
      'read items lose the unread mark',
    );
    await context.close();
  });
}

test('a login outside the audience does not see the item, and its address answers 404', async () => {
  const author = await browser.newContext();
  const a = await author.newPage();
  await loginAndConsent(base, a, 'sekretariat');
  await a.goto(`${base}/neuigkeiten/verfasst`);
  const href = await a.getByRole('link', { name: TITLE }).getAttribute('href');
  await author.close();
  assert.match(href, /^\/neuigkeiten\//);
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'personal');
  await page.goto(`${base}/neuigkeiten`);
  assert.equal(await page.getByRole('link', { name: TITLE }).count(), 0);
  const res = await page.goto(`${base}${href.replace('/bearbeiten', '')}`);
  assert.equal(res.status(), 404);
  await context.close();
});
