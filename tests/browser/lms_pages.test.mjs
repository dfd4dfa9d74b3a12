// The course pages the other LMS browser tests do not open, each checked with axe: the
// teacher's announcements (one posted), the forum, the import page, a section's form, the
// forms for audio/video material, a new quiz and an LTI tool; the student's announcements,
// a forum question asked and its thread, and the due dates for calendar programs — the
// student's at 360 px, where nothing may scroll sideways; and the simple view for primary
// schools (large tiles) once the teacher switches it on; a page with a picture uploaded
// through "Bild einfügen" and formulas, which the student sees as an image and MathML.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('lms-pages');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

const COURSE = 'Mathematik 5a';

async function openCourse(page) {
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: COURSE }).waitFor();
  return page.url();
}

const sideways = (page) => page.evaluate(
  () => document.documentElement.scrollWidth > window.innerWidth);

test('the teacher\'s course pages are accessible', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  const course = await openCourse(page);
  const nav = page.getByRole('navigation', { name: 'Kursbereiche' });
  await nav.getByRole('link', { name: 'Mitteilungen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mitteilungen' }).waitFor();
  await checkA11y(page, 'announcements (teacher, empty)');
  await page.getByLabel('Titel', { exact: true }).fill('Wandertag');
  await page.getByLabel('Text', { exact: true }).fill('Am Freitag fällt Mathe aus.');
  await page.getByRole('button', { name: 'Absenden' }).click();
  await page.getByRole('heading', { level: 3, name: 'Wandertag' }).waitFor();
  await checkA11y(page, 'announcements (teacher, one post)');
  await page.goto(course);
  await nav.getByRole('link', { name: 'Fragen und Antworten' }).click();
  await page.getByRole('heading', { level: 1, name: 'Fragen und Antworten' }).waitFor();
  await checkA11y(page, 'forum (teacher)');
  await page.goto(course);
  await page.getByRole('link', { name: 'Importieren (Moodle, Common Cartridge)' }).click();
  await page.locator('input[type=file]').first().waitFor({ state: 'attached' });
  await checkA11y(page, 'import');
  await page.goto(course);
  await page.locator('section.lms-section a[href$="/bearbeiten"][href*="/abschnitte/"]').first().click();
  await page.getByLabel('Titel', { exact: true }).waitFor();
  await checkA11y(page, 'section form');
  await page.goto(course);
  const first = page.locator('section.lms-section').first();
  await first.getByLabel('Material hinzufügen:').selectOption('media');
  await first.getByRole('button', { name: 'Hinzufügen' }).click();
  await page.getByLabel('Titel', { exact: true }).waitFor();
  await checkA11y(page, 'audio/video material form');
  await page.goto(course);
  await first.getByRole('link', { name: /^Neuer Test / }).click();
  await page.getByLabel('Titel', { exact: true }).waitFor();
  await checkA11y(page, 'new quiz form');
  await page.goto(course);
  await first.getByRole('link', { name: /^LTI-Werkzeug einbinden / }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  await checkA11y(page, 'new LTI tool form');
  await context.close();
});

test('the student\'s course pages are accessible at 360 px', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'schueler');
  const course = await openCourse(page);
  const nav = page.getByRole('navigation', { name: 'Kursbereiche' });
  await nav.getByRole('link', { name: 'Mitteilungen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mitteilungen' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Absenden' }).count(), 0,
    'students post no announcements');
  assert.equal(await sideways(page), false, 'announcements: nothing scrolls sideways');
  await checkA11y(page, 'announcements (student, 360)');
  await page.goto(course);
  await nav.getByRole('link', { name: 'Fragen und Antworten' }).click();
  await page.getByLabel('Titel', { exact: true }).fill('Kürzen');
  await page.getByLabel('Text', { exact: true }).fill('Wie kürze ich 4/8?');
  await page.getByRole('button', { name: 'Absenden' }).click();
  // Asking leads to the question's own page.
  await page.getByRole('heading', { level: 1, name: 'Kürzen' }).waitFor();
  assert.equal(await sideways(page), false, 'thread: nothing scrolls sideways');
  await checkA11y(page, 'forum thread (student, 360)');
  await page.goto(`${base}/kurse/faelligkeiten`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await sideways(page), false, 'calendar page: nothing scrolls sideways');
  await checkA11y(page, 'due dates for calendar programs (student, 360)');
  await context.close();
});

// A 4×4 red PNG.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000040000000408020000002693092900000010' +
  '4944415478da6338a3a404470cc47100c4e3110188' + '91ee100000000049454e44ae426082', 'hex');

test('a page shows a picture (uploaded with alt text) and formulas as MathML', async () => {
  const teacher = await browser.newContext();
  const t = await teacher.newPage();
  await loginAndConsent(base, t, 'lehrer');
  await openCourse(t);
  const section = t.locator('section.lms-section').first();
  await section.getByLabel('Material hinzufügen:').selectOption('page');
  await section.getByRole('button', { name: 'Hinzufügen' }).click();
  await t.getByLabel('Titel', { exact: true }).fill('Satz des Pythagoras');
  await t.getByLabel('Text', { exact: true })
    .fill('<p>Es gilt \\(a^2 + b^2 = c^2\\).</p><p>\\[A = \\frac{1}{2} g h\\]</p>');
  await t.getByRole('button', { name: 'Speichern' }).click();
  await t.getByRole('link', { name: 'Satz des Pythagoras', exact: true }).click();
  const shown = t.url();
  await t.goto(`${shown}/bearbeiten`);
  await t.getByLabel(/^Bild hochladen/).setInputFiles(
    { name: 'dreieck.png', mimeType: 'image/png', buffer: PNG });
  await t.getByLabel('Alternativtext').first().fill('Rotes Quadrat');
  await t.getByRole('button', { name: 'Bild einfügen' }).first().click();
  await t.waitForURL(/ok=lms_image_added/);
  await checkA11y(t, 'page form with a picture');
  assert.match(await t.getByLabel('Text', { exact: true }).inputValue(),
    /<img src="\/kurse\/material\/[0-9a-f-]{36}\/datei\/[0-9a-f-]{36}" alt="Rotes Quadrat">/);
  await teacher.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'schueler');
  await page.goto(shown);
  const img = page.getByRole('img', { name: 'Rotes Quadrat' });
  await img.waitFor();
  assert.equal(await img.evaluate((el) => el.complete && el.naturalWidth), 4, 'the picture loads');
  const math = page.locator('.prose math');
  assert.equal(await math.count(), 2, 'two formulas as MathML');
  assert.equal(await math.first().evaluate((el) => el.namespaceURI),
    'http://www.w3.org/1998/Math/MathML');
  assert.equal(await math.nth(1).getAttribute('display'), 'block');
  const box = await math.first().boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, 'the formula is laid out');
  assert.equal(await page.getByText('\\(a^2').count(), 0, 'no LaTeX left over');
  await checkA11y(page, 'page with picture and formulas (student)');
  await context.close();
});

// Last: the simple view changes the student's course page for the tests after it.
test('the simple view: the teacher switches it on, the student sees large tiles at 360 px', async () => {
  const teacher = await browser.newContext();
  const t = await teacher.newPage();
  await loginAndConsent(base, t, 'lehrer');
  await openCourse(t);
  await t.getByRole('link', { name: 'Kurseinstellungen' }).click();
  await t.getByLabel('Einfache Ansicht für die Grundschule').check();
  await t.getByRole('button', { name: 'Speichern' }).first().click();
  await t.waitForURL(/ok=lms_saved/);
  assert.equal(await t.getByLabel('Einfache Ansicht für die Grundschule').isChecked(), true);
  await teacher.close();

  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'schueler');
  await openCourse(page);
  await page.locator('.lms-tiles').first().waitFor();
  assert.equal(await sideways(page), false, 'tiles: nothing scrolls sideways');
  await checkA11y(page, 'simple view (student, 360)');
  await context.close();
});
