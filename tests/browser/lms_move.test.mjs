// Material across sections in a real browser: the teacher drags an item with the real
// mouse onto the next section's heading, moves one back by the "Anderer Abschnitt" page
// with JavaScript off, and moves items into the next section by keyboard (arrow keys past
// the last place); the "Noch nichts in diesem Abschnitt." hint leaves a section that gets
// an item and comes back (announced) to one whose last item left, at once and after a
// reload; the order stays after every reload. The link's name carries the item's title
// ("Anderer Abschnitt …"), and the drag starts with the whole way in view: a page that
// scrolls between pressing the mouse and moving it makes Chromium drag whatever link is
// then under the pointer, not the handle.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('lms-move');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

const COURSE = 'Mathematik 5a';
// Tall enough that both demo sections are in view: the drag needs no scrolling.
const TALL = { width: 1280, height: 2000 };

async function openCourse(page) {
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: COURSE, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: COURSE }).waitFor();
}

/** The material titles of each section, by section title, as the page shows them. */
const outline = (page) => page.locator('section.lms-section').evaluateAll((els) =>
  Object.fromEntries(els.map((s) => [
    s.querySelector('h2').firstChild.textContent.trim(),
    [...s.querySelectorAll('ul.lms-activities > li')].map((li) => li.querySelector('a').textContent),
  ])));

/** Whether the section's "empty" hint is shown. */
const hintShown = (page, title) => page.locator('section.lms-section')
  .filter({ has: page.getByRole('heading', { level: 2, name: title, exact: true }) })
  .locator('.lms-empty:not([hidden])').count().then((n) => n === 1);

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The link's name is its words and the item's title from a visually hidden span, exactly
// "Anderer Abschnitt Titel" (no stray " : " where Chromium joins the span with a space).
const otherSection = (title) => new RegExp(`^Anderer Abschnitt ${esc(title)}$`);

const posted = (page) => page.waitForResponse((r) =>
  r.url().includes('/kurse/material/') && r.request().method() === 'POST');

async function said(page, re) {
  try {
    await page.waitForFunction(
      (src) => new RegExp(src).test(document.getElementById('arrange-live').textContent),
      re.source, { timeout: 5_000 });
  } catch (e) {
    const text = await page.locator('#arrange-live').textContent();
    assert.fail(`the live region says "${text}", not ${re}`);
  }
}

test('the teacher drags material onto the next section\'s heading; it stays there', async () => {
  const context = await browser.newContext({ viewport: TALL });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await openCourse(page);
  await page.locator('.lms-grab').first().waitFor();
  const start = await outline(page);
  const [first, second] = Object.keys(start);
  const moving = start[first][start[first].length - 1];
  const saved = posted(page);
  await page.getByRole('button', { name: `Verschieben: ${moving}`, exact: true })
    .dragTo(page.getByRole('heading', { level: 2, name: second, exact: true }));
  assert.equal((await saved).status(), 204);
  await page.reload();
  const now = await outline(page);
  assert.deepEqual(now[first], start[first].slice(0, -1));
  assert.deepEqual(now[second], [...start[second], moving], 'at the end of the next section');
  await context.close();
});

test('without JavaScript, "Anderer Abschnitt" moves material to the start of a section', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await openCourse(page);
  const start = await outline(page);
  const [first, second] = Object.keys(start);
  const moving = start[second][start[second].length - 1];
  // Its name says which item it moves; the plain words alone name every item's link.
  await page.getByRole('link', { name: otherSection(moving) }).click();
  await page.getByRole('heading', { level: 1, name: 'In einen anderen Abschnitt verschieben' }).waitFor();
  await page.getByLabel('Abschnitt', { exact: true }).selectOption({ label: first });
  await page.getByLabel('Stelle im Abschnitt').selectOption({ label: 'An den Anfang' });
  await page.getByRole('button', { name: 'Verschieben', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: COURSE }).waitFor();
  await page.reload();
  const now = await outline(page);
  assert.deepEqual(now[first], [moving, ...start[first]]);
  assert.deepEqual(now[second], start[second].slice(0, -1));
  await context.close();
  // The page itself, with the script's world on, for axe.
  const checked = await browser.newContext();
  const p2 = await checked.newPage();
  await loginAndConsent(base, p2, 'lehrer');
  await openCourse(p2);
  await p2.getByRole('link', { name: otherSection(moving) }).click();
  await p2.getByRole('heading', { level: 1, name: 'In einen anderen Abschnitt verschieben' }).waitFor();
  await checkA11y(p2, 'move to another section');
  await checked.close();
});

test('by keyboard into the next section; the empty hint follows at once and after reload', async () => {
  const context = await browser.newContext({ viewport: TALL });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await openCourse(page);
  // A third, empty section at the end.
  await page.getByLabel('Titel', { exact: true }).fill('Leer');
  await page.getByRole('button', { name: 'Hinzufügen' }).last().click();
  await page.getByRole('heading', { level: 2, name: 'Leer', exact: true }).waitFor();
  await page.locator('.lms-grab').first().waitFor();
  assert.equal(await hintShown(page, 'Leer'), true, 'the new section says it is empty');
  const start = await outline(page);
  const [first, second] = Object.keys(start);
  // The last item of the first section, one step down: the top of the second.
  const a = start[first][start[first].length - 1];
  await page.getByRole('button', { name: `Verschieben: ${a}`, exact: true }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await said(page, new RegExp(`jetzt in ${esc(second)}, Position 1`));
  let saved = posted(page);
  await page.keyboard.press('Space');
  assert.equal((await saved).status(), 204);
  await said(page, /abgelegt/);
  await page.reload();
  let now = await outline(page);
  assert.deepEqual(now[first], start[first].slice(0, -1));
  assert.deepEqual(now[second], [a, ...start[second]]);
  // The last item of the second section into the empty one: its hint goes at once.
  const b = now[second][now[second].length - 1];
  await page.getByRole('button', { name: `Verschieben: ${b}`, exact: true }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await said(page, /jetzt in Leer, Position 1 von 1/);
  assert.equal(await hintShown(page, 'Leer'), false, 'no "empty" beside an item');
  saved = posted(page);
  await page.keyboard.press('Space');
  assert.equal((await saved).status(), 204);
  assert.equal(await hintShown(page, 'Leer'), false);
  // Every item of the first section down: when the last leaves, the hint comes back and
  // the live region says so.
  now = await outline(page);
  for (const c of now[first]) {
    await page.getByRole('button', { name: `Verschieben: ${c}`, exact: true }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowDown');
    await said(page, new RegExp(`${esc(c)}: jetzt in ${esc(second)}`));
    saved = posted(page);
    await page.keyboard.press('Space');
    assert.equal((await saved).status(), 204);
  }
  assert.equal(await hintShown(page, first), true, 'the emptied section says so');
  await checkA11y(page, 'course page after moves');
  // The announcement of the last drop names the emptied section.
  await said(page, new RegExp(`abgelegt.*${esc(first)} ist jetzt leer`));
  await page.reload();
  now = await outline(page);
  assert.deepEqual(now[first], []);
  assert.equal(await hintShown(page, first), true);
  assert.equal(await hintShown(page, 'Leer'), false);
  assert.deepEqual(now.Leer, [b]);
  await context.close();
});
