// The shell in a real browser at 1280 px and 360 px: the app bar and its menu, no sideways
// scrolling on any page the menu leads to, axe clean, the flash where the eye is, the language
// of the browser. It also takes the screenshots of docs/ui.md: into docs/ui/*.png with
// SCHULHOF_UI_SHOTS=1 (to renew them), else beside the other screenshots.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { SHOTS, checkA11y, h1, loginAt, startPlatform } from './harness.mjs';

const DOCS = process.env.SCHULHOF_UI_SHOTS
  ? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'ui')
  : path.join(SHOTS, 'ui');

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('shell');
  ({ base, browser } = platform);
  await mkdir(DOCS, { recursive: true });
});

after(async () => {
  await platform?.stop();
});

/** Signs a demo login in at any width (the logout button may be folded into the menu). */
async function signIn(page, user) {
  await loginAt(base, page, user);
  await page.waitForURL((u) => u.pathname === '/' || u.pathname === '/zustimmung');
  if (new URL(page.url()).pathname === '/zustimmung') {
    await page.getByLabel('Datenschutzhinweise zur Kenntnis genommen').check();
    await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  }
}

const nav = (page) => page.getByRole('navigation', { name: 'Hauptnavigation' });
const menuButton = (page) => page.locator('summary.menu-button');
/** aria-expanded of the menu button, once it says `value` (the toggle event comes a moment later). */
const expanded = (page, value) => page.waitForFunction(
  (v) => document.querySelector('summary.menu-button')?.getAttribute('aria-expanded') === v, value, { timeout: 5_000 },
);
const width = (page) => page.evaluate(() => document.documentElement.scrollWidth);

/** The hrefs of the navigation, read from the markup (the menu may be closed). */
async function navHrefs(page) {
  return page.locator('nav.main-nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
}

/** At 360 px: the header is at most a fifth of the screen; the menu opens and closes by keyboard. */
async function checkNarrowMenu(page, who) {
  const header = await page.locator('header.appbar').boundingBox();
  assert.ok(header.height <= 128, `${who}: the header is ${header.height} px high at 360 px`);
  assert.equal(await nav(page).isVisible(), false, `${who}: the menu starts closed`);
  await menuButton(page).focus();
  await page.keyboard.press('Enter');
  await nav(page).waitFor();
  await expanded(page, 'true');
  // Tab reaches the first area; Escape closes the menu and gives focus back to its button.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.closest('nav')?.getAttribute('aria-label'));
  assert.equal(focused, 'Hauptnavigation', `${who}: Tab leads into the navigation`);
  await page.keyboard.press('Escape');
  await nav(page).waitFor({ state: 'hidden' });
  await expanded(page, 'false');
  assert.ok(await menuButton(page).evaluate((s) => s === document.activeElement), `${who}: focus is back on Menü`);
}

for (const [w, h] of [[1280, 800], [360, 640]]) {
  for (const user of ['lehrer', 'schueler', 'admin']) {
    test(`${user} at ${w} px: app bar, menu, every page of the navigation fits and is accessible`, async () => {
      const context = await browser.newContext({ viewport: { width: w, height: h } });
      const page = await context.newPage();
      await signIn(page, user);
      if (w === 360) {
        await checkNarrowMenu(page, user);
      } else {
        assert.equal(await menuButton(page).isVisible(), false, 'no menu button on a wide screen');
        assert.ok(await nav(page).isVisible(), 'the navigation is in the app bar');
        assert.ok(await page.getByRole('button', { name: 'Abmelden', exact: true }).isVisible());
        const header = await page.locator('header.appbar').boundingBox();
        assert.ok(header.height <= 0.2 * h, `${user}: the app bar is ${header.height} px high`);
      }
      const hrefs = await navHrefs(page);
      assert.ok(hrefs.includes('/dateien') && hrefs.includes('/konto'), `${user}: ${hrefs}`);
      assert.equal(hrefs.includes('/verwaltung/benutzer'), user === 'admin');
      for (const href of hrefs) {
        await page.goto(`${base}${href}`);
        assert.equal(new URL(page.url()).pathname, href, `${user}: ${href} redirected`);
        assert.equal(
          await page.locator(`nav.main-nav a[href="${href}"]`).getAttribute('aria-current'),
          'page',
        );
        if (w === 360) assert.ok((await width(page)) <= 360, `${user}: ${href} is ${await width(page)} px wide`);
        await checkA11y(page, `${user} ${href} at ${w} px`);
      }
      // Going somewhere from the open menu at 360 px.
      if (w === 360) {
        await menuButton(page).click();
        await nav(page).getByRole('link', { name: 'Dateien', exact: true }).click();
        await page.waitForURL('**/dateien');
        assert.equal(await nav(page).isVisible(), false, 'the menu is closed on the new page');
      }
      await context.close();
    });
  }
}

test('the flash after an action is at the top of the first screen and has the focus', async () => {
  for (const w of [1280, 360]) {
    const context = await browser.newContext({ viewport: { width: w, height: 640 } });
    const page = await context.newPage();
    await signIn(page, 'lehrer');
    await page.goto(`${base}/konto`);
    // Log out: at 360 px through the menu.
    if (w === 360) await menuButton(page).click();
    await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    const flash = page.locator('main .flash');
    await flash.waitFor();
    assert.match(await flash.textContent(), /abgemeldet/);
    const box = await flash.boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 640 * 0.5, `flash at ${box.y} px at ${w} px`);
    assert.ok(await flash.evaluate((f) => f === document.activeElement), 'the flash has the focus');
    assert.equal(await page.locator('main [role="status"] .flash').count(), 1);
    await checkA11y(page, `flash at ${w} px`);
    await context.close();
  }
});

test('the language follows Accept-Language until the switch is used', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok(await page.getByRole('button', { name: 'Log in', exact: true }).isVisible());
  await page.getByRole('link', { name: 'Deutsch' }).click();
  await page.waitForURL((u) => u.pathname === '/anmelden' || u.pathname === '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'de', 'the cookie wins over the browser');
  await context.close();
});

/** A screenshot of one element for docs/ui.md. */
async function docShot(locator, name) {
  await locator.screenshot({ path: path.join(DOCS, `${name}.png`), animations: 'disabled' });
}

test('the component page: every component works and is photographed for docs/ui.md', async () => {
  const wide = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await wide.newPage();
  await signIn(page, 'lehrer');
  await page.goto(`${base}/oberflaeche`);
  assert.equal(await h1(page), 'Bausteine der Oberfläche');
  await checkA11y(page, 'component page');
  await docShot(page.locator('header.appbar'), 'appbar');
  await docShot(page.locator('main .flash'), 'toast');
  await docShot(page.locator('#ui-list .table-wrap'), 'table');
  await docShot(page.locator('#ui-panel'), 'panel');
  await docShot(page.locator('#ui-empty'), 'empty');
  await docShot(page.locator('#ui-icons ul'), 'icons');
  // The dialog opens in place, Escape closes it and focus returns to its opener.
  const opener = page.locator('[data-dialog="ui-dialog"]');
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Umbenennen' });
  await dialog.waitFor();
  assert.ok(await page.getByLabel('Name', { exact: true }).evaluate((i) => i === document.activeElement));
  await checkA11y(page, 'component page with the dialog open');
  await docShot(dialog, 'dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await opener.evaluate((a) => a === document.activeElement), 'focus back on the opener');
  await wide.close();

  const narrow = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const p = await narrow.newPage();
  await signIn(p, 'lehrer');
  await p.goto(`${base}/oberflaeche`);
  assert.ok((await width(p)) <= 360, `component page is ${await width(p)} px wide`);
  await checkA11y(p, 'component page at 360 px');
  await docShot(p.locator('header.appbar'), 'appbar-360');
  // The first two cards are enough to show the pattern.
  const cards = await p.locator('#ui-list .table-wrap').boundingBox();
  const third = await p.locator('#ui-list tbody tr').nth(2).boundingBox();
  await p.screenshot({
    path: path.join(DOCS, 'cards-360.png'),
    fullPage: true,
    clip: { x: cards.x, y: cards.y, width: cards.width, height: third.y - cards.y },
  });
  // A file name is one readable line or more, not cut into pieces of a few letters.
  const title = await p.locator('#ui-list td.card-title').nth(1).boundingBox();
  assert.ok(title.width >= 250, `the name cell is ${title.width} px wide`);
  await menuButton(p).click();
  await nav(p).waitFor();
  await p.screenshot({ path: path.join(DOCS, 'menu-360.png'), clip: { x: 0, y: 0, width: 360, height: 480 } });
  await narrow.close();

  // Without JavaScript the dialog's link leads to the fallback page with the same form.
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const q = await nojs.newPage();
  await signIn(q, 'lehrer');
  await q.goto(`${base}/oberflaeche`);
  await q.locator('[data-dialog="ui-dialog"]').click();
  await q.waitForURL('**/oberflaeche?dialog=umbenennen*');
  assert.ok(await q.locator('#ui-rename').isVisible());
  await nojs.close();
});

test('without JavaScript the menu still opens at 360 px', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'schueler');
  assert.equal(await nav(page).isVisible(), false);
  await menuButton(page).click();
  await nav(page).waitFor();
  await nav(page).getByRole('link', { name: 'Mein Konto' }).click();
  await page.waitForURL('**/konto');
  await context.close();
});
