// The calendar in a real browser at 1280 px and 360 px: the admin creates a room, the
// teacher puts a recurring event into class 5a's calendar, the student sees it, the teacher
// books the room twice and the second booking names the first. Nothing scrolls sideways
// and axe is clean on every page.

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
