// A quiz in a real browser: the student opens the demo course's quiz, starts an attempt,
// answers every kind of question on one page of plain forms, submits and sees the score
// and the review; the teacher opens the editor, a question form and the results. Every
// quiz page is checked with axe (the attempt page also at 360 px).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('lms-quiz');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

/** The question's fieldset, found by its text. */
function question(page, text) {
  return page.locator('fieldset.quiz-question').filter({ hasText: text });
}

test('the student takes the demo quiz and sees the score', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await loginAndConsent(base, page, 'schueler');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: 'Mathematik 5a' }).first().click();
  await page.getByRole('link', { name: 'Test: Brüche' }).first().click();
  await page.getByRole('button', { name: 'Test beginnen' }).waitFor();
  await checkA11y(page, 'quiz page');
  await page.getByRole('button', { name: 'Test beginnen' }).click();
  await page.locator('fieldset.quiz-question').first().waitFor();
  assert.match(await page.locator('#quiz-timer').textContent(), /Noch \d+ Minuten/);
  assert.equal(await page.locator('#quiz-timer').getAttribute('aria-live'), 'polite');
  await checkA11y(page, 'quiz attempt (360 px)');
  await shot(page, 'lms-quiz-attempt-360');
  await page.setViewportSize({ width: 1280, height: 800 });
  await question(page, 'gekürzt gleich 3/4').getByLabel('6/8', { exact: true }).check();
  const multi = question(page, 'größer als 1/2');
  await multi.getByLabel('2/3', { exact: true }).check();
  await multi.getByLabel('3/4', { exact: true }).check();
  await question(page, 'sind gleich groß').getByLabel('Richtig', { exact: true }).check();
  // Saving keeps the answers so far.
  await page.getByRole('button', { name: 'Zwischenspeichern' }).click();
  await page.getByText('Gespeichert.').waitFor();
  assert.ok(await question(page, 'sind gleich groß').getByLabel('Richtig', { exact: true }).isChecked());
  await question(page, 'Dezimalzahl').getByLabel('Zahl').fill('3,5');
  await question(page, 'unter dem Bruchstrich').getByLabel('Antwort').fill('Nenner');
  const gaps = question(page, 'Ergänze den Satz');
  await gaps.getByLabel('Lücke 1').fill('Nenner');
  await gaps.getByLabel('Lücke 2').fill('gleiche');
  const pairs = question(page, 'gleich großen Zahlen');
  await pairs.getByLabel('1/2', { exact: true }).selectOption({ label: '0,5' });
  await pairs.getByLabel('1/4', { exact: true }).selectOption({ label: '0,25' });
  await pairs.getByLabel('3/4', { exact: true }).selectOption({ label: '0,75' });
  await checkA11y(page, 'quiz attempt filled in');
  await page.getByRole('button', { name: 'Abgeben' }).click();
  await page.locator('#quiz-score').filter({ hasText: '10 von 10 Punkten' }).waitFor();
  await page.getByText('Richtige Antwort').first().waitFor();
  await checkA11y(page, 'quiz review');
  await shot(page, 'lms-quiz-review');
  await page.getByRole('link', { name: 'Zurück zum Test' }).click();
  await page.getByText('Es zählt Versuch 1: 10 von 10 Punkten. Bestanden.').waitFor();
  await checkA11y(page, 'quiz page after the attempt');
  await context.close();
});

test('the teacher sees results, the editor and a question form', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: 'Mathematik 5a' }).first().click();
  await page.getByRole('link', { name: 'Test: Brüche' }).first().click();
  await page.getByRole('link', { name: 'Ergebnisse', exact: true }).click();
  await page.getByRole('table', { name: 'Ergebnisse je Frage' }).waitFor();
  await checkA11y(page, 'quiz results');
  await page.getByRole('link', { name: 'Zurück zum Test' }).click();
  await page.getByRole('link', { name: 'Test bearbeiten', exact: true }).click();
  await page.getByRole('heading', { name: 'Fragen' }).waitFor();
  await checkA11y(page, 'quiz editor');
  await page.getByLabel('Frage hinzufügen:').selectOption('gap_text');
  await page.getByRole('button', { name: 'Hinzufügen' }).click();
  await page.getByLabel('Text mit Lücken').fill('Ein [[Halb');
  await page.getByLabel('Fragetext').fill('Lücken');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByRole('alert').filter({ hasText: 'Frage 8' }).waitFor();
  assert.equal(await page.getByLabel('Text mit Lücken').getAttribute('aria-invalid'), 'true');
  await checkA11y(page, 'quiz question form with an error');
  await context.close();
});
