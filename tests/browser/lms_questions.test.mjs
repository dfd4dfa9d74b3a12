// Private questions about an assignment in a real browser at 1280 px and 360 px: the student
// of the demo course asks the teachers about the demo assignment, the teacher finds the
// question (marked as waiting) in the list and answers, the student reads the answer. Every
// page: axe clean, one main landmark, labelled fields, nothing scrolls sideways.
//
//   cargo build -p schulhof && node --test lms_questions.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { WIDTHS, checkPage } from './checks.mjs';
import { h1, loginAndConsent, startPlatform } from './harness.mjs';

const ASSIGNMENT = 'Brüche kürzen erklären';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('lms-questions');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

/** Signed in as `user`, on the demo assignment's page (through the course). */
async function atAssignment(viewport, user) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await loginAndConsent(base, page, user);
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: 'Mathematik 5a' }).first().click();
  await page.getByRole('link', { name: ASSIGNMENT }).first().click();
  await page.waitForURL(/\/kurse\/aufgaben\/[0-9a-f-]{36}$/);
  return { context, page };
}

for (const { name, viewport } of WIDTHS) {
  test(`at ${name} px: the student asks, the teacher answers`, async () => {
    const question = `Muss ich den Rechenweg zeigen? (${name})`;
    const reply = `Ja, bitte jeden Schritt. (${name})`;

    const student = await atAssignment(viewport, 'schueler');
    const s = student.page;
    await s.getByRole('link', { name: 'Private Frage an die Lehrkräfte' }).click();
    await s.waitForURL(/\/fragen$/);
    assert.equal(await h1(s), `Frage an die Lehrkräfte: ${ASSIGNMENT}`);
    await checkPage(s, `lms-questions student ${name}`);
    await s.getByLabel(/Nachricht/).fill(question);
    await s.getByRole('button', { name: 'Absenden' }).click();
    await s.waitForURL(/\/fragen\?ok=lms_posted/);
    await s.getByText(question).waitFor();
    await checkPage(s, `lms-questions asked ${name}`);
    const thread = s.url().split('?')[0];

    const teacher = await atAssignment(viewport, 'lehrer');
    const t = teacher.page;
    await t.getByRole('link', { name: 'Private Fragen der Schülerinnen und Schüler' }).click();
    assert.equal(await h1(t), `Private Fragen: ${ASSIGNMENT}`);
    const line = t.locator('li', { hasText: 'Sophie' });
    assert.match(await line.innerText(), /wartet auf Antwort/);
    await checkPage(t, `lms-questions list ${name}`);
    await line.getByRole('link').click();
    await t.getByText(question).waitFor();
    await checkPage(t, `lms-questions thread ${name}`);
    await t.getByLabel('Ihre Nachricht').fill(reply);
    await t.getByRole('button', { name: 'Absenden' }).click();
    await t.waitForURL(/ok=lms_posted/);
    await t.getByText(reply).waitFor();
    await t.getByRole('link', { name: 'Zurück zur Aufgabe' }).click();
    await t.getByRole('link', { name: 'Private Fragen der Schülerinnen und Schüler' }).click();
    assert.doesNotMatch(await t.locator('li', { hasText: 'Sophie' }).innerText(), /wartet auf Antwort/);
    await teacher.context.close();

    await s.goto(thread);
    const answer = s.locator('.card', { hasText: reply });
    assert.match(await answer.innerText(), /Lehrkraft/);
    await checkPage(s, `lms-questions answered ${name}`);
    await student.context.close();
  });
}
