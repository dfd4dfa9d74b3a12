// Courses in a real browser: the teacher opens the demo course of 5a, adds a section and a
// page with the forms (no JavaScript needed), arranges material by keyboard (Space, arrows,
// Space; Escape cancels; announced in the live region) and a section by drag and drop, and
// the order stays after a reload (the section drag as the browser's drag events); material
// is dragged with the real mouse (Chromium's own drag) and the order stays after a
// reload; the student sees the course with its material, opens the page and ticks off
// the exercise; the teacher's progress shows it. The school's admin follows the link on the
// school settings to the setting "Kurse ohne Klick" on /kurse and saves it at 360 px. Every
// page is checked with axe, the student's and the admin's also at 360 px.

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
  // The hidden part of a control's name joins without a stray " : ".
  await page.getByRole('link', { name: 'Bearbeiten Woche 3', exact: true }).waitFor();
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

const names = (list) => list.locator(':scope > li[data-move]').evaluateAll(
  (els) => els.map((el) => el.dataset.name));

test('the teacher moves material by keyboard and a section by drag; the order stays', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: COURSE }).waitFor();
  const list = page.locator('ul[data-arrange="activity"]').first();
  await list.locator('.lms-grab').first().waitFor();
  await checkA11y(page, 'course page with arranging');
  const before = await names(list);
  assert.ok(before.length >= 2, `two items to move: ${before}`);
  const live = page.locator('#arrange-live');
  // Escape puts it back and saves nothing.
  const handle = list.getByRole('button', { name: `Verschieben: ${before[0]}`, exact: true });
  await handle.focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => /aufgenommen/.test(document.getElementById('arrange-live').textContent));
  assert.equal(await handle.getAttribute('aria-pressed'), 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => /abgebrochen/.test(document.getElementById('arrange-live').textContent));
  assert.deepEqual(await names(list), before);
  // Space, arrow down, Space: saved, announced.
  await handle.focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /Position 2 von/.test(document.getElementById('arrange-live').textContent));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), `Verschieben: ${before[0]}`);
  const saved = page.waitForResponse((r) => r.url().includes('/verschieben') && r.request().method() === 'POST');
  await page.keyboard.press('Space');
  assert.equal((await saved).status(), 204);
  await page.waitForFunction(() => /abgelegt/.test(document.getElementById('arrange-live').textContent));
  assert.match(await live.textContent(), /Position 2 von/);
  await page.reload();
  const moved = [before[1], before[0], ...before.slice(2)];
  assert.deepEqual(await names(page.locator('ul[data-arrange="activity"]').first()), moved);
  // A section dragged by its handle above the one before it.
  const titles = () => page.locator('section[data-move]').evaluateAll((els) => els.map((el) => el.dataset.name));
  const secs = await titles();
  const last = secs[secs.length - 1];
  const dropped = page.waitForResponse((r) => r.url().includes('/abschnitte/') && r.request().method() === 'POST');
  // The drag events a browser sends (Chromium's native drag is not driven headless here).
  await page.evaluate((name) => {
    const handle = [...document.querySelectorAll('section[data-move] .lms-grab')]
      .find((b) => b.textContent === `Verschieben: ${name}`);
    const target = document.querySelector('section[data-move]');
    const box = target.getBoundingClientRect();
    const dataTransfer = new DataTransfer();
    const fire = (el, type, y) => el.dispatchEvent(new DragEvent(type,
      { bubbles: true, cancelable: true, dataTransfer, clientX: box.left + 20, clientY: y }));
    fire(handle, 'dragstart', 0);
    fire(target, 'dragover', box.top + 2);
    fire(target, 'drop', box.top + 2);
    fire(handle, 'dragend', 0);
  }, last);
  assert.equal((await dropped).status(), 204);
  await page.reload();
  const after = await titles();
  assert.equal(after[0], last, `dragged to the top: ${after}`);
  // Back to the end by keyboard (End), so the other tests see the demo order.
  await page.getByRole('button', { name: `Verschieben: ${last}`, exact: true }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('End');
  const back = page.waitForResponse((r) => r.url().includes('/abschnitte/') && r.request().method() === 'POST');
  await page.keyboard.press('Space');
  assert.equal((await back).status(), 204);
  await page.reload();
  assert.deepEqual(await titles(), secs);
  await context.close();
});

test('the teacher drags material with the real mouse; the order stays', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: COURSE }).waitFor();
  const lists = () => page.locator('ul[data-arrange="activity"]');
  await lists().first().locator('.lms-grab').first().waitFor();
  const start = await names(lists().first());
  assert.ok(start.length >= 2, `two items to move: ${start}`);
  const [a, b] = start;
  const posted = () => page.waitForResponse((r) => r.url().includes('/kurse/material/') && r.request().method() === 'POST');
  // The real mouse (Chromium's own drag): the first item onto the lower half of the second.
  let saved = posted();
  const target = lists().first().locator(':scope > li[data-move]').nth(1);
  const box = await target.boundingBox();
  await lists().first().getByRole('button', { name: `Verschieben: ${a}`, exact: true })
    .dragTo(target, { targetPosition: { x: 10, y: box.height - 4 } });
  assert.equal((await saved).status(), 204);
  await page.reload();
  assert.deepEqual(await names(lists().first()), [b, a, ...start.slice(2)]);
  // Back by keyboard, so the other tests see the demo order.
  await lists().first().getByRole('button', { name: `Verschieben: ${a}`, exact: true }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowUp');
  saved = posted();
  await page.keyboard.press('Space');
  assert.equal((await saved).status(), 204);
  await page.reload();
  assert.deepEqual(await names(lists().first()), start);
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

// Last: saving the setting makes courses for every class of the demo school.
test('the admin sets "Kurse ohne Klick" from the school settings (360 px)', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'admin');
  await page.goto(`${base}/verwaltung/schule`);
  const card = page.locator('section').filter({
    has: page.getByRole('heading', { level: 2, name: 'Kurse ohne Klick' }),
  });
  await card.getByText('Keine – Kurse entstehen mit einem Klick').waitFor();
  await checkA11y(page, 'school settings 360');
  await card.getByRole('link', { name: 'Einstellung „Kurse ohne Klick“ öffnen' }).click();
  await page.waitForURL(/\/kurse#auto-h$/);
  const form = page.getByRole('group', { name: 'Welche Gruppen bekommen ihren Kurs automatisch?' });
  await form.waitFor();
  assert.equal(await form.getByLabel('Keine – Kurse entstehen mit einem Klick').isChecked(), true);
  const wide = async () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(await wide(), false, 'nothing scrolls sideways');
  await checkA11y(page, 'course list with the setting 360');
  await form.getByLabel('Jede Klasse', { exact: true }).check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText('Die Einstellung ist gespeichert; fehlende Kurse sind angelegt.').waitFor();
  assert.equal(await page.getByRole('group', { name: 'Welche Gruppen bekommen ihren Kurs automatisch?' })
    .getByLabel('Jede Klasse', { exact: true }).isChecked(), true);
  assert.equal(await wide(), false, 'nothing scrolls sideways after saving');
  await checkA11y(page, 'course list after saving 360');
  await page.goto(`${base}/verwaltung/schule`);
  await card.getByText('Jede Klasse', { exact: true }).waitFor();
  await context.close();
});
