// Courses in a real browser: the teacher opens the demo course of 5a, adds a section and a
// page with the forms (no JavaScript needed), the student sees the course with its material,
// opens the page and ticks off the exercise; the teacher's progress shows it. Every page is
// checked with axe, the student's also at 360 px.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('lms-course');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

const COURSE = 'Mathematik 5a';
const PAGE = 'Merkblatt Brüche';

test('the teacher arranges the demo course', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await checkA11y(page, 'course list (teacher)');
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: COURSE }).waitFor();
  await checkA11y(page, 'course page (teacher)');
  await page.getByLabel('Titel', { exact: true }).fill('Woche 3');
  await page.getByRole('button', { name: 'Hinzufügen' }).last().click();
  await page.getByRole('heading', { level: 2, name: 'Woche 3' }).waitFor();
  const section = page.locator('section.lms-section').filter({ hasText: 'Woche 3' });
  await section.getByLabel('Material hinzufügen:').selectOption('page');
  await section.getByRole('button', { name: 'Hinzufügen' }).click();
  await checkA11y(page, 'material form');
  await page.getByLabel('Titel', { exact: true }).fill(PAGE);
  await page.getByLabel('Text', { exact: true }).fill('<p>Zähler <b>oben</b>, Nenner unten.</p>');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByRole('link', { name: PAGE, exact: true }).waitFor();
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('link', { name: 'Kurseinstellungen' }).click();
  await checkA11y(page, 'course settings');
  await context.close();
});

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`the student reads and ticks off material (${w} px)`, async () => {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    await loginAndConsent(base, page, 'schueler');
    await page.goto(`${base}/kurse`);
    await checkA11y(page, `course list ${w}`);
    await page.getByRole('link', { name: COURSE, exact: true }).click();
    await page.getByRole('link', { name: PAGE, exact: true }).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(wide, false, 'nothing scrolls sideways');
    assert.equal(await page.getByRole('link', { name: 'Kurseinstellungen' }).count(), 0);
    await checkA11y(page, `course page ${w}`);
    await shot(page, `lms-course-${w}`);
    await page.getByRole('link', { name: PAGE, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: PAGE }).waitFor();
    await checkA11y(page, `material page ${w}`);
    if (w === 1280) {
      await page.goBack();
      await page.getByRole('link', { name: 'Übungen im Buch' }).click();
      await page.getByRole('button', { name: 'Als erledigt markieren' }).click();
      await page.getByRole('button', { name: 'Doch nicht erledigt' }).waitFor();
    }
    await page.goto(`${base}/kurse/faellig`);
    await checkA11y(page, `due list ${w}`);
    await context.close();
  });
}

test('the teacher sees the progress of the students only', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('link', { name: 'Fortschritt' }).click();
  await page.getByRole('table').waitFor();
  await checkA11y(page, 'progress');
  const row = page.getByRole('row').filter({ hasText: 'Erledigt' });
  assert.ok(await row.count() >= 1, 'the ticked exercise shows');
  await context.close();
});
