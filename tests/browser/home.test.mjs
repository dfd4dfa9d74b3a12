// The home page as a dashboard in a real browser at 1280 px and 360 px, for the demo
// school's teacher and student: the cards of recent and shared files (the demo data puts
// some there), each entry opens its file, nothing scrolls sideways, axe is clean, and no time
// is labelled "UTC". The admin's card leads to the school's settings.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, h1, loginAt, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('home');
  ({ base, browser } = platform);
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

const card = (page, title) => page.getByRole('region', { name: title });

/** What each demo login must (and must not) find on its dashboard. */
const EXPECT = {
  lehrer: {
    recent: ['Elternbrief Wandertag.txt', 'Arbeitsblatt Bruchrechnung.txt'],
    hidden: ['Referat Vulkane.md'],
    shared: null,
  },
  schueler: {
    recent: ['Referat Vulkane.md', 'Arbeitsblatt Bruchrechnung.txt'],
    hidden: ['Elternbrief Wandertag.txt'],
    shared: 'Klasse 5a – Mathematik',
  },
};

for (const [w, h] of [[1280, 800], [360, 640]]) {
  for (const [user, want] of Object.entries(EXPECT)) {
    test(`${user} at ${w} px: the dashboard shows recent and shared files, fits and is accessible`, async () => {
      const context = await browser.newContext({ viewport: { width: w, height: h } });
      const page = await context.newPage();
      await signIn(page, user);
      assert.match(await h1(page), /^Willkommen/);
      const recent = card(page, 'Zuletzt geändert');
      await recent.waitFor();
      for (const name of want.recent) {
        await recent.getByRole('link', { name }).waitFor();
      }
      const text = await page.locator('main').innerText();
      for (const name of want.hidden) {
        assert.ok(!text.includes(name), `${user} must not see ${name}`);
      }
      assert.ok(!text.includes('UTC'), `${user}: no time says UTC`);
      if (want.shared) {
        const shared = card(page, 'Neu mit mir geteilt');
        await shared.getByRole('link', { name: want.shared }).waitFor();
        assert.match(await shared.innerText(), /von Lena Lehmann/);
      } else {
        assert.equal(await card(page, 'Neu mit mir geteilt').count(), 0);
      }
      // The area tiles stay below the cards.
      await page.locator('a.tile[href="/dateien"]').waitFor();
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= w, `${user}: the page is ${scroll} px wide at ${w} px`);
      await checkA11y(page, `home ${user} ${w}`);
      await shot(page, `home-${user}-${w}`);
      // An entry opens its file.
      await recent.getByRole('link', { name: want.recent[1] }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/dateien/'));
      assert.equal(await h1(page), want.recent[1]);
      await context.close();
    });
  }
}

test('the admin finds the time zone on the dashboard and changes it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await signIn(page, 'admin');
  const school = card(page, 'Einstellungen der Schule');
  assert.match(await school.innerText(), /Europe\/Berlin/);
  await school.getByRole('link', { name: 'Einstellungen der Schule ändern' }).click();
  await page.waitForURL((u) => u.pathname === '/verwaltung/schule');
  await checkA11y(page, 'school settings');
  // The zone's own form (the form of address has its own button).
  const zoneForm = page.locator('form').filter({ has: page.getByLabel('Zeitzone der Schule') });
  await page.getByLabel('Zeitzone der Schule').fill('Mars/Olympus');
  await zoneForm.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText('Diese Zeitzone ist unbekannt.').waitFor();
  await checkA11y(page, 'school settings with an error');
  await page.getByLabel('Zeitzone der Schule').fill('Europe/Vienna');
  await zoneForm.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText('Die Einstellungen der Schule sind gespeichert.').waitFor();
  assert.equal(await page.getByLabel('Zeitzone der Schule').inputValue(), 'Europe/Vienna');
  await shot(page, 'school-settings-1280');
  await context.close();
});
