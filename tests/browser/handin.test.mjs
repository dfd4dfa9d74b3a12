// Hand-in folders in a real browser, at 1280 and 360 px with axe: the teacher creates one
// from "Meine Gruppen" in one form, two students hand in files of the same name, and the
// teacher sees both names and who of 5a has not handed in yet.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, h1, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('handin');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 360, height: 740 };
const PASSWORD = 'ein-langes-passwort-42';

/** The admin creates a student of 5a; returns the login and its initial password. */
async function newStudent(page, first, last) {
  await page.goto(`${base}/verwaltung/benutzer/neu`);
  await page.selectOption('#art', 'schueler');
  await page.fill('#first_name', first);
  await page.fill('#last_name', last);
  await page.fill('#groups', '5a');
  await page.getByRole('button', { name: 'Benutzer anlegen' }).click();
  const initial = (await page.locator('code.secret').first().textContent()).trim();
  return { login: `${first}.${last}`.toLowerCase(), initial };
}

/** A new student signs in, chooses a password and accepts the terms. */
async function firstLogin(context, { login, initial }) {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  if (await page.locator('#schule').count()) await page.fill('#schule', '100000');
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill(login);
  await page.getByLabel('Passwort').fill(initial);
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
  await page.waitForURL('**/konto/passwort-setzen');
  await page.fill('#pw-old', initial);
  await page.fill('#pw-new', PASSWORD);
  await page.fill('#pw-repeat', PASSWORD);
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  const consent = page.getByLabel('Datenschutzhinweise zur Kenntnis genommen');
  await page.waitForURL((u) => u.pathname === '/zustimmung' || u.pathname === '/');
  if (await consent.count()) {
    await consent.check();
    await page.getByRole('button', { name: 'Nutzungsbedingungen annehmen' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  }
  return page;
}

/** A student hands in `name` with `text` on the hand-in page. */
async function handIn(page, overview, name, text) {
  await page.goto(overview);
  await page.setInputFiles('#handin-files', { name, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Abgeben', exact: true }).click();
  await page.waitForURL('**/abgaben?ok=handin_done');
  assert.match(await page.locator('.handin-state').textContent(), /pünktlich/);
}

/** The hand-in table's rows fit the screen (no cut names, no sideways scrolling). */
async function rowsFit(page, width) {
  for (const box of await page.locator('.handin-table tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.getBoundingClientRect().right),
  )) {
    assert.ok(box <= width + 1, `a row reaches ${box}px on a ${width}px screen`);
  }
}

test('two students hand in the same file name; the teacher sees who is missing', async () => {
  const adminCtx = await browser.newContext({ viewport: WIDE });
  const admin = await adminCtx.newPage();
  await loginAndConsent(base, admin, 'admin');
  const ben = await newStudent(admin, 'Ben', 'Becker');
  const carla = await newStudent(admin, 'Carla', 'Clausen');
  await adminCtx.close();

  // The teacher: one form from "Meine Gruppen".
  const teacherCtx = await browser.newContext({ viewport: WIDE });
  const teacher = await teacherCtx.newPage();
  await loginAndConsent(base, teacher, 'lehrer');
  await teacher.goto(`${base}/gruppen`);
  await teacher.getByRole('link', { name: 'Abgabeordner für 5a anlegen' }).click();
  await teacher.waitForURL('**/dateien/abgabeordner/neu?*');
  assert.equal(await h1(teacher), 'Abgabeordner anlegen');
  await checkA11y(teacher, 'hand-in form');
  await shot(teacher, 'handin-new');
  await teacher.getByLabel('Name des Ordners').fill('Aufsatz');
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  await teacher.getByLabel('Datum der Frist').fill(tomorrow);
  await teacher.getByRole('button', { name: 'Abgabeordner anlegen' }).click();
  await teacher.waitForURL('**/abgaben?ok=handin_created');
  assert.equal(await h1(teacher), 'Aufsatz');
  const overview = teacher.url().split('?')[0];
  const missing = teacher.locator('section', { has: teacher.getByRole('heading', { name: 'Noch nicht abgegeben' }) });
  assert.match(await missing.textContent(), /Ben Becker[\s\S]*Carla Clausen[\s\S]*Sophie Schüler/);
  await checkA11y(teacher, 'hand-in overview, empty');

  // Two students hand in a file of the same name.
  const sophieCtx = await browser.newContext({ viewport: WIDE });
  const sophie = await sophieCtx.newPage();
  await loginAndConsent(base, sophie, 'schueler');
  await handIn(sophie, overview, 'Aufsatz.txt', 'Sophies Aufsatz');
  await checkA11y(sophie, 'own hand-ins');
  await shot(sophie, 'handin-student');
  const benCtx = await browser.newContext({ viewport: NARROW });
  const benPage = await firstLogin(benCtx, ben);
  await handIn(benPage, overview, 'Aufsatz.txt', 'Bens Aufsatz');
  const own = await benPage.locator('main').textContent();
  assert.match(own, /Aufsatz\.txt/);
  assert.doesNotMatch(own, /Sophie/);
  await checkA11y(benPage, 'own hand-ins at 360 px');
  await rowsFit(benPage, NARROW.width);
  await shot(benPage, 'handin-student-360');

  // The teacher sees both names and that Carla is missing, wide and narrow.
  await teacher.reload();
  const table = await teacher.locator('.handin-table').textContent();
  assert.match(table, /Sophie Schüler \(schueler\)/);
  assert.match(table, /Ben Becker \(ben\.becker\)/);
  assert.equal(await teacher.locator('.handin-table tbody tr').count(), 2);
  const stillMissing = await missing.textContent();
  assert.match(stillMissing, /Carla Clausen/);
  assert.doesNotMatch(stillMissing, /Ben Becker|Sophie/);
  assert.match(await teacher.locator('main').textContent(), /2 von 3 haben abgegeben/);
  await checkA11y(teacher, 'hand-in overview');
  await shot(teacher, 'handin-teacher');

  const narrowCtx = await browser.newContext({ viewport: NARROW, storageState: await teacherCtx.storageState() });
  const narrow = await narrowCtx.newPage();
  await narrow.goto(overview);
  await checkA11y(narrow, 'hand-in overview at 360 px');
  await rowsFit(narrow, NARROW.width);
  await shot(narrow, 'handin-teacher-360');

  // Carla, not yet handed in, sees that state; the help says what happens.
  const carlaCtx = await browser.newContext({ viewport: WIDE });
  const carlaPage = await firstLogin(carlaCtx, carla);
  await carlaPage.goto(overview);
  assert.match(await carlaPage.locator('.handin-state').textContent(), /noch nichts abgegeben/);
  await carlaPage.getByText('Wie funktioniert ein Abgabeordner?').click();
  assert.match(await carlaPage.locator('.handin-help').textContent(), /als verspätet markiert/);
  await checkA11y(carlaPage, 'hand-in page, nothing handed in');

  for (const ctx of [teacherCtx, sophieCtx, benCtx, narrowCtx, carlaCtx]) await ctx.close();
});
