// The help network's guides in a real browser: the "Hilfe" link of a page leads to the guide
// for it (at 1280 px in the app bar, at 360 px inside the menu), the search finds a guide,
// nothing scrolls sideways and axe is clean.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, h1, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('help');
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

for (const width of [1280, 360]) {
  test(`student at ${width} px: context help, a guide, the search`, async () => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await loginAndConsent(base, page, 'schueler');
    await page.goto(`${base}/dateien`);
    if (width < 600) await page.getByText('Menü').click();
    await page.getByRole('link', { name: 'Hilfe', exact: true }).click();
    await page.waitForURL('**/hilfe/dateien');
    assert.equal(await h1(page), 'Dateien und Freigaben');
    await noSidewaysScroll(page, 'guide');
    await checkA11y(page, `help guide at ${width}`);
    await shot(page, `help-guide-${width}`);

    await page.getByRole('link', { name: 'Alle Anleitungen' }).click();
    await page.waitForURL('**/hilfe');
    await page.getByLabel('Suchbegriff').fill('Safe-Passwort');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForURL('**/hilfe?q=*');
    await page.getByRole('link', { name: 'Der Daten-Safe' }).waitFor();
    await noSidewaysScroll(page, 'search');
    await checkA11y(page, `help search at ${width}`);
    await context.close();
  });
}
