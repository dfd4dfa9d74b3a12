// The calendar in a real browser at 1280 px and 360 px: the admin creates a room, the
// teacher puts a recurring event into class 5a's calendar, the student sees it, the teacher
// books the room twice and the second booking names the first. Nothing scrolls sideways
// and axe is clean on every page. The week view works with the keyboard alone (focus
// visible) and prints without its navigation.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checkPage } from './checks.mjs';
import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;
let dataDir;

before(async () => {
  platform = await startPlatform('calendar');
  ({ base, browser, dataDir } = platform);
});

after(async () => {
  await platform?.stop();
});

async function fits(page, w, what) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= w, `${what}: the page is ${scroll} px wide at ${w} px`);
}

async function signedIn(w, h, user) {
  const context = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await context.newPage();
  await loginAndConsent(base, page, user);
  return { context, page };
}

/** Fills and sends the event form that is open on `page` (its day is the default). */
async function fillEvent(page, { title, calendar, from, to, weekly }) {
  await page.locator('#cal-title').fill(title);
  if (calendar) await page.locator('#cal-cal').selectOption({ label: calendar });
  await page.locator('#cal-start-t').fill(from);
  await page.locator('#cal-end-t').fill(to);
  if (weekly) {
    await page.locator('#cal-rec').selectOption('woechentlich');
    await page.locator('#cal-rec-end-3').check();
    await page.locator('#cal-count').fill(String(weekly));
  }
  await page.getByRole('button', { name: 'Termin speichern' }).click();
}

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`at ${w} px: a recurring event for 5a, a room booked twice`, async () => {
    const room = `Aula ${w}`;
    const title = `Klassenarbeit ${w}`;

    // The admin creates a room teachers may book.
    const admin = await signedIn(w, h, 'admin');
    const a = admin.page;
    await a.goto(`${base}/verwaltung/ressourcen`);
    await a.getByRole('heading', { level: 1, name: 'Räume und Geräte' }).waitFor();
    await a.locator('#res-name').fill(room);
    await a.locator('#res-cap').fill('200');
    await a.locator('#cal-t-lehrer').check();
    await a.getByRole('button', { name: 'Anlegen' }).click();
    await a.getByRole('cell', { name: room }).waitFor();
    await fits(a, w, 'resources');
    await checkA11y(a, `calendar resources ${w}`);
    await admin.context.close();

    // The teacher's month view, then a weekly event in 5a's calendar.
    const teacher = await signedIn(w, h, 'lehrer');
    const t = teacher.page;
    await t.goto(`${base}/kalender`);
    await t.locator('h1').waitFor();
    await t.locator('[aria-current="date"]').first().waitFor();
    await fits(t, w, 'month');
    await checkA11y(t, `calendar month ${w}`);
    await shot(t, `calendar-month-${w}`);
    await t.getByRole('link', { name: 'Neuer Termin' }).click();
    await t.locator('#cal-title').waitFor();
    await checkA11y(t, `calendar event form ${w}`);
    const classCal = await t.locator('#cal-cal option', { hasText: '5a' }).first().textContent();
    await fillEvent(t, { title, calendar: classCal.trim(), from: '08:00', to: '09:30', weekly: 4 });
    await t.locator('.flash').waitFor();
    assert.match(await t.locator('.flash').innerText(), /Termin ist gespeichert/);
    await t.getByRole('link', { name: new RegExp(title) }).first().waitFor();
    await fits(t, w, 'week');
    await checkA11y(t, `calendar week ${w}`);
    await shot(t, `calendar-week-${w}`);

    // The student sees it, four times in the list.
    const student = await signedIn(w, h, 'schueler');
    const s = student.page;
    await s.goto(`${base}/kalender?ansicht=liste`);
    await s.getByRole('link', { name: new RegExp(title) }).first().waitFor();
    assert.equal(await s.getByRole('link', { name: new RegExp(title) }).count(), 4);
    await fits(s, w, 'list');
    await checkA11y(s, `calendar list ${w}`);
    await student.context.close();

    // The teacher books the room, then again over the first booking.
    for (const [what, from, to] of [['Theaterprobe', '10:00', '11:00'], ['Konzert', '10:30', '11:30']]) {
      await t.goto(`${base}/kalender/raeume`);
      await t.getByRole('link', { name: `${room} buchen` }).click();
      await t.locator('#cal-title').waitFor();
      await fillEvent(t, { title: `${what} ${w}`, from, to });
    }
    const error = t.locator('#cal-start-d-error');
    await error.waitFor();
    assert.match(await error.innerText(), new RegExp(`Schon gebucht: „Theaterprobe ${w}“`));
    await fits(t, w, 'conflict');
    await checkA11y(t, `calendar booking conflict ${w}`);
    await shot(t, `calendar-conflict-${w}`);
    await t.goto(`${base}/kalender/raeume`);
    assert.match(await t.locator('.cal-room', { hasText: room }).innerText(), /Belegt: 10:00–11:00/);
    await checkA11y(t, `calendar rooms ${w}`);
    await teacher.context.close();
  });
}

// Attachments from the own file area: the teacher uploads a file, makes an event in the own
// calendar, opens the picker from the event, walks into the own area, ticks the file and
// attaches it; the event lists it with its size and a download address of the event.
for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`at ${w} px: a file of the own area attached to an event`, async () => {
    const fileName = `Stoffplan ${w}.txt`;
    const file = path.join(dataDir, fileName);
    await writeFile(file, 'Bruchrechnung, Kapitel 3\n');
    const title = `Elternabend ${w}`;
    const teacher = await signedIn(w, h, 'lehrer');
    const t = teacher.page;

    await t.goto(`${base}/dateien`);
    await t.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
    await t.waitForURL(/\/dateien\/[0-9a-f-]{36}$/);
    await t.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles(file);
    await t.getByRole('button', { name: 'Hochladen', exact: true }).click();
    await t.waitForURL((u) => u.searchParams.get('ok') === 'uploaded');

    await t.goto(`${base}/kalender/termin/neu`);
    await t.locator('#cal-title').waitFor();
    await fillEvent(t, { title, from: '18:00', to: '19:30' });
    await t.locator('.flash').waitFor();
    await t.getByRole('link', { name: new RegExp(title) }).first().click();
    await t.getByRole('heading', { level: 1, name: new RegExp(title) }).waitFor();
    await t.getByRole('link', { name: 'Dateien anhängen' }).click();
    await t.getByRole('heading', { level: 1, name: 'Dateien anhängen' }).waitFor();
    await checkPage(t, `calendar attach areas ${w}`);
    await t.getByRole('link', { name: /Eigene Dateien/ }).click();
    await t.getByLabel(new RegExp(fileName)).check();
    await checkPage(t, `calendar attach pick ${w}`);
    await t.getByRole('button', { name: 'Anhängen', exact: true }).click();
    await t.locator('.flash').waitFor();
    assert.match(await t.locator('.flash').innerText(), /Dateien sind angehängt/);
    const list = t.locator('.cal-attachment-list');
    const link = list.getByRole('link', { name: fileName });
    await link.waitFor();
    assert.match(await link.getAttribute('href'), /\/kalender\/[0-9a-f-]{36}\/termin\/.+\/anhang\/[0-9a-f-]{36}$/);
    assert.match(await list.innerText(), /\(\d+ B\)/);
    await checkPage(t, `calendar event with attachment ${w}`);
    const got = await t.request.get(`${base}${await link.getAttribute("href")}`);
    assert.equal(got.status(), 200);
    assert.equal(await got.text(), 'Bruchrechnung, Kapitel 3\n');
    await teacher.context.close();
  });
}

/** Presses Tab until the focused element matches `sel` (and holds `text`); fails after `max`. */
async function tabTo(page, sel, text, what, max = 150) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(([s, t]) => {
      const a = document.activeElement;
      return Boolean(a && a.matches(s) && (!t || a.textContent.includes(t)));
    }, [sel, text]);
    if (hit) return;
  }
  assert.fail(`${what}: not reached with Tab in ${max} steps`);
}

/** The focused element shows a focus ring (keyboard focus, an outline that is drawn). */
async function focusShown(page, what) {
  const f = await page.evaluate(() => {
    const a = document.activeElement;
    const s = getComputedStyle(a);
    const r = a.getBoundingClientRect();
    return {
      visible: a.matches(':focus-visible'),
      style: s.outlineStyle,
      width: parseFloat(s.outlineWidth) || 0,
      area: r.width * r.height,
    };
  });
  assert.ok(f.visible && f.style !== 'none' && f.width > 0 && f.area > 0,
    `${what}: the focus is not visible (${JSON.stringify(f)})`);
}

/** A new event today in the own calendar; returns the week view's address of its day. */
async function eventToday(page, title) {
  await page.goto(`${base}/kalender/termin/neu`);
  await page.locator('#cal-title').waitFor();
  const day = await page.locator('#cal-start-d').inputValue();
  await fillEvent(page, { title, from: '10:00', to: '11:00' });
  await page.locator('.flash').waitFor();
  return `${base}/kalender?ansicht=woche&datum=${day}`;
}

// The week with the keyboard only: from the top of the page Tab reaches the event (its
// focus visible) and Enter opens it; "next" and "previous" move between weeks.
for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`at ${w} px: the week view by keyboard`, async () => {
    const title = `Sprechstunde ${w}`;
    const teacher = await signedIn(w, h, 'lehrer');
    const t = teacher.page;
    const week = await eventToday(t, title);
    await t.goto(week);
    const heading = (await t.locator('h1').innerText()).trim();

    await tabTo(t, 'a.cal-event', title, 'the event');
    await focusShown(t, 'the event');
    await t.keyboard.press('Enter');
    await t.waitForURL(/\/kalender\/[0-9a-f-]{36}\/termin\//);
    await t.getByRole('heading', { level: 1, name: title }).waitFor();

    await t.goto(week);
    await tabTo(t, 'a[rel="next"]', '', 'the next week');
    await focusShown(t, 'the next week');
    await t.keyboard.press('Enter');
    await t.waitForURL((u) => u.href !== week && u.searchParams.get('ansicht') === 'woche');
    assert.notEqual((await t.locator('h1').innerText()).trim(), heading, 'another week');
    assert.equal(await t.locator('a.cal-event', { hasText: title }).count(), 0);
    await tabTo(t, 'a[rel="prev"]', '', 'the previous week');
    await focusShown(t, 'the previous week');
    await t.keyboard.press('Enter');
    await t.locator('a.cal-event', { hasText: title }).waitFor();
    assert.equal((await t.locator('h1').innerText()).trim(), heading, 'back in the first week');
    await teacher.context.close();
  });
}

// Printing the week: the app bar, the calendar's navigation, the side panel and the footer
// are left out; the heading and the week's events are on the page, the days side by side.
test('the week view prints without navigation, with its events', async () => {
  const title = 'Zeugniskonferenz';
  const teacher = await signedIn(1280, 800, 'lehrer');
  const t = teacher.page;
  const week = await eventToday(t, title);
  await t.goto(week);
  await t.emulateMedia({ media: 'print' });
  for (const sel of ['.appbar', '.cal-nav', '.cal-tools', '.cal-side', '.site-footer', '.skip-link']) {
    const shown = await t.locator(sel).evaluateAll((els) => els.some((e) => {
      const s = getComputedStyle(e);
      return s.display !== 'none' && s.visibility !== 'hidden' && e.getClientRects().length > 0;
    }));
    assert.equal(shown, false, `${sel} is printed`);
  }
  assert.ok(await t.locator('h1').isVisible(), 'the heading is printed');
  const ev = t.locator('a.cal-event', { hasText: title });
  assert.ok(await ev.isVisible(), 'the event is printed');
  assert.match(await ev.innerText(), /10:00/);
  const cols = await t.locator('.cal-col').evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { top: Math.round(r.top), left: r.left, width: r.width };
  }));
  assert.equal(cols.length, 7, 'seven days');
  assert.ok(cols.every((c) => c.top === cols[0].top && c.width > 0), `one row: ${JSON.stringify(cols)}`);
  assert.ok(cols.every((c, i) => i === 0 || c.left > cols[i - 1].left), 'Monday to Sunday');
  await shot(t, 'calendar-week-print');
  await t.emulateMedia({ media: 'screen' });
  assert.ok(await t.locator('.cal-nav').isVisible(), 'on screen the navigation is back');
  await teacher.context.close();
});
