// News in a real browser: the Sekretariat writes an item for the class 5a (preview first,
// then publish), a member of the class finds it on the home card and in /neuigkeiten with
// the unread mark, opens it (the mark goes), and a non-member sees neither it nor its page.
// The list, the item and the editor are axe clean at 1280 and 360 px and nothing scrolls
// sideways.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, h1, loginAndConsent, shot, startPlatform } from './harness.mjs';

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

async function noSidewaysScroll(page, name) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  const view = await page.evaluate(() => window.innerWidth);
  assert.ok(wide <= view, `${name}: ${wide} px wide at ${view} px`);
}

async function as(login, width) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  await loginAndConsent(base, page, login);
  return { context, page };
}

/** The Sekretariat writes and publishes an item for the class 5a; returns its path. */
async function publishForClass(title, width) {
  const { context, page } = await as('sekretariat', width);
  await page.goto(`${base}/neuigkeiten`);
  await page.getByRole('link', { name: 'Neuigkeit schreiben' }).click();
  await page.waitForURL('**/neuigkeiten/neu');
  assert.equal(await h1(page), 'Neuigkeit schreiben');
  await noSidewaysScroll(page, `editor ${width}`);
  await checkA11y(page, `news editor at ${width}`);

  await page.getByLabel('Titel').fill(title);
  await page.getByLabel('Text', { exact: true }).fill('<p>Bitte <b>Sportzeug</b> mitbringen.</p><script>alert(1)</script>');
  await page.getByLabel('Nur für bestimmte Gruppen, Personen oder Kontoarten').check();
  await page.getByRole('group', { name: 'Gruppen (bei Einschränkung)' }).getByLabel('5a', { exact: true }).check();
  await page.getByRole('button', { name: 'Vorschau' }).click();
  const preview = page.getByRole('region', { name: 'Vorschau' });
  await preview.locator('b', { hasText: 'Sportzeug' }).waitFor();
  assert.equal(await preview.locator('script').count(), 0, 'the preview drops the script');
  await checkA11y(page, `news editor preview at ${width}`);
  await shot(page, `news-editor-${width}`);

  // The preview keeps what was typed; publishing leads back into the editor of the item.
  assert.equal(await page.getByLabel('Titel').inputValue(), title);
  await page.getByRole('button', { name: 'Veröffentlichen' }).click();
  await page.waitForURL('**/neuigkeiten/*/bearbeiten?ok=news_saved');
  await page.getByText('Die Neuigkeit wurde gespeichert.').waitFor();
  const itemPath = new URL(page.url()).pathname.replace(/\/bearbeiten$/, '');
  await context.close();
  return itemPath;
}

for (const width of [1280, 360]) {
  test(`at ${width} px: the Sekretariat publishes for 5a, a member reads, a non-member does not`, async () => {
    const title = `Wandertag der 5a (${width})`;
    const itemPath = await publishForClass(title, width);

    // A member of the class: the home card names it, the list marks it unread.
    const member = await as('schueler', width);
    await member.page.goto(`${base}/`);
    await member.page.locator('a', { hasText: title }).first().waitFor({ state: 'attached' });
    await member.page.goto(`${base}/neuigkeiten`);
    assert.equal(await h1(member.page), 'Neuigkeiten');
    const card = member.page.locator('li.news-card', { hasText: title });
    await card.getByText('ungelesen').waitFor();
    await noSidewaysScroll(member.page, `list ${width}`);
    await checkA11y(member.page, `news list at ${width}`);
    await shot(member.page, `news-list-${width}`);

    await card.getByRole('link', { name: title }).click();
    await member.page.waitForURL(`**${itemPath}`);
    assert.equal(await h1(member.page), title);
    await member.page.locator('.prose b', { hasText: 'Sportzeug' }).waitFor();
    assert.equal(await member.page.locator('.prose script').count(), 0);
    await noSidewaysScroll(member.page, `item ${width}`);
    await checkA11y(member.page, `news item at ${width}`);
    await shot(member.page, `news-item-${width}`);
    // Opened, it is read: no mark any more.
    await member.page.goto(`${base}/neuigkeiten`);
    const again = member.page.locator('li.news-card', { hasText: title });
    await again.waitFor();
    assert.equal(await again.getByText('ungelesen').count(), 0);
    await member.context.close();

    // Not in 5a: neither in the list nor behind its address.
    const other = await as('personal', width);
    await other.page.goto(`${base}/neuigkeiten`);
    assert.equal(await h1(other.page), 'Neuigkeiten');
    assert.equal(await other.page.getByText(title).count(), 0);
    const res = await other.page.goto(`${base}${itemPath}`);
    assert.equal(res.status(), 404);
    await other.context.close();
  });
}
