// The calendar in a real browser at 1280 px and 360 px: the admin creates a room, the
// teacher puts a recurring event into class 5a's calendar, the student sees it, the teacher
// books the room twice and the second booking names the first. Nothing scrolls sideways
// and axe is clean on every page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('calendar');
  ({ base, browser } = platform);
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
