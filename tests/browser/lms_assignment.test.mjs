// An assignment in a real browser with a fake microphone: the teacher creates one with an
// audio instruction recorded in the browser, the student records a spoken answer and hands
// it in, the teacher grades with spoken feedback and releases it, and the student plays the
// feedback (the audio element reaches "canplay"); the teacher records a video for the course
// material in the browser, adds a WebVTT caption file, and the student plays it with its
// caption track's cues loaded. Every page is checked with axe.
//
// The harness's browser has no microphone flags, so this file launches its own Chromium
// with a fake device and fake permission prompt; the harness's server is used as it is.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

let base;
let platform;
let browser;

before(async () => {
  platform = await startPlatform('lms-assignment');
  ({ base } = platform);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
});

after(async () => {
  await browser?.close();
  await platform?.stop();
});

async function newPage() {
  const context = await browser.newContext({ locale: 'de-DE', permissions: ['microphone'] });
  return context.newPage();
}

/** Records about a second with the recorder of the current form. */
async function record(page, scope = page) {
  await scope.getByRole('button', { name: 'Aufnahme starten' }).click();
  await page.waitForTimeout(1500);
  await scope.getByRole('button', { name: 'Aufnahme beenden' }).click();
  await scope.getByText('Aufnahme bereit').waitFor();
  const files = await page.$eval('#aufnahme', (i) => i.files.length);
  assert.equal(files, 1, 'the recording fills the file input');
}

/** Waits until the audio element can play; returns its duration. */
async function playable(page, selector) {
  return page.$eval(selector, (a) => new Promise((resolve, reject) => {
    const done = () => resolve(a.duration);
    if (a.readyState >= 3) { done(); return; }
    a.addEventListener('canplay', done, { once: true });
    a.addEventListener('error', () => reject(new Error(`media error ${a.error && a.error.code}`)));
    setTimeout(() => reject(new Error('no canplay within 15 s')), 15_000);
    a.load();
  }));
}

let assignment;

const VTT = 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHallo 5a!\n\n00:00:01.000 --> 00:00:02.000\nBrüche im Video.\n';

test('the teacher creates an assignment with an audio instruction', async () => {
  const page = await newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: 'Mathematik 5a' }).first().click();
  const action = await page.locator('form[action$="/material/neu"]').first().getAttribute('action');
  await page.goto(`${base}${action.replace('/material/neu', '/aufgabe/neu')}`);
  await page.getByLabel('Titel').fill('Vulkane erklären');
  await page.getByLabel('Arbeitsauftrag', { exact: true }).fill('<p>Erkläre einen <b>Vulkan</b>.</p>');
  await checkA11y(page, 'assignment form');
  await record(page);
  await page.getByLabel('Abschrift').fill('Erkläre einen Vulkan in zwei Sätzen.');
  await page.getByLabel('Sprachaufnahme').check();
  await shot(page, 'lms-assignment-form');
  await page.getByRole('button', { name: 'Speichern', exact: true }).click();
  await page.waitForURL(/\/kurse\/aufgaben\/[0-9a-f-]{36}/);
  assignment = new URL(page.url()).pathname;
  await page.locator('#instruction-audio').waitFor();
  await checkA11y(page, 'assignment page (teacher)');
  await page.context().close();
});

test('the student records a spoken answer and hands it in', async () => {
  const page = await newPage();
  await loginAndConsent(base, page, 'schueler');
  await page.goto(`${base}${assignment}`);
  assert.equal(await page.locator('#work-state').getAttribute('data-state'), 'not_handed_in');
  const duration = await playable(page, '#instruction-audio');
  assert.ok(duration > 0, `instruction duration ${duration}`);
  await checkA11y(page, 'assignment page (student)');
  await page.getByLabel('Text', { exact: true }).fill('Ein Berg, der Feuer spuckt.');
  await record(page);
  await page.getByRole('button', { name: 'Abgeben', exact: true }).click();
  await page.waitForURL(/ok=lms_assign_handed_in/);
  assert.equal(await page.locator('#work-state').getAttribute('data-state'), 'handed_in');
  await checkA11y(page, 'assignment page (handed in)');
  await shot(page, 'lms-assignment-handed-in');
  await page.context().close();
});

test('the teacher grades with spoken feedback and releases it', async () => {
  const page = await newPage();
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}${assignment}/abgaben`);
  await checkA11y(page, 'submissions overview');
  await page.getByRole('link', { name: 'Schüler, Sophie' }).click();
  await page.locator('#save-grade').waitFor();
  await checkA11y(page, 'grading page');
  await page.getByLabel('Punkte von 10').fill('9');
  await page.getByLabel('Schriftliche Rückmeldung').fill('Sehr gut erklärt.');
  await record(page);
  await page.getByLabel('Abschrift').fill('Prima, das war klar und richtig.');
  await page.getByLabel(/Sofort freigeben/).check();
  await page.getByRole('button', { name: 'Bewertung speichern' }).click();
  await page.waitForURL(/ok=lms_assign_graded/);
  await page.locator('#spoken-feedback').waitFor();
  await checkA11y(page, 'grading page (graded)');
  await page.context().close();
});

test('the student plays the spoken feedback', async () => {
  const page = await newPage();
  await loginAndConsent(base, page, 'schueler');
  await page.goto(`${base}${assignment}`);
  assert.equal(await page.locator('#work-state').getAttribute('data-state'), 'returned');
  assert.equal((await page.locator('#grade').textContent()).trim(), '9');
  const duration = await playable(page, '#spoken-feedback');
  assert.ok(duration > 0, `feedback duration ${duration}`);
  await page.getByText('Prima, das war klar und richtig.').waitFor();
  await checkA11y(page, 'assignment page (returned)');
  await shot(page, 'lms-assignment-returned');
  await page.context().close();
});

test('the teacher records a video for the course; the student plays it', async () => {
  const page = await newPage();
  await page.context().grantPermissions(['microphone', 'camera']);
  await loginAndConsent(base, page, 'lehrer');
  await page.goto(`${base}/kurse`);
  await page.getByRole('link', { name: 'Mathematik 5a' }).first().click();
  const first = page.locator('section.lms-section').first();
  await first.getByLabel('Material hinzufügen:').selectOption('media');
  await first.getByRole('button', { name: 'Hinzufügen' }).click();
  await page.getByLabel('Titel', { exact: true }).fill('Brüche im Video');
  await page.getByRole('button', { name: 'Speichern' }).first().click();
  // Saved: the form of the material now offers the recorder (the script shows it).
  await page.getByRole('button', { name: 'Video aufnehmen' }).waitFor();
  await checkA11y(page, 'media material with the recorder');
  await page.getByRole('button', { name: 'Video aufnehmen' }).click();
  // The recorder says what it does, in the page's language.
  await page.locator('#rec-status').filter({ hasText: 'Aufnahme läuft …' }).waitFor();
  await page.waitForTimeout(1500);
  const uploaded = page.waitForResponse((r) => r.url().endsWith('/dateien')
    && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Aufnahme beenden und hochladen' }).click();
  assert.ok((await uploaded).status() < 400, 'the recording is stored');
  await page.getByRole('link', { name: /^aufnahme\.(webm|mp4)$/i }).waitFor();
  // Captions: a WebVTT file, German by default.
  await page.getByLabel('Untertiteldatei (WebVTT)').setInputFiles({
    name: 'untertitel.vtt',
    mimeType: 'text/vtt',
    buffer: Buffer.from(VTT),
  });
  await page.getByRole('button', { name: 'Untertitel hochladen' }).click();
  await page.getByText('Die Untertitel sind hinzugefügt.').waitFor();
  await checkA11y(page, 'media material with captions');
  const material = new URL(page.url()).pathname.replace(/\/bearbeiten$/, '');
  await page.context().close();

  const student = await newPage();
  await loginAndConsent(base, student, 'schueler');
  await student.goto(`${base}${material}`);
  await student.getByRole('heading', { level: 1, name: 'Brüche im Video' }).waitFor();
  const duration = await playable(student, 'figure.lms-media video');
  assert.ok(duration > 0, `video duration ${duration}`);
  // The video's caption track loads its cues (from the material's own address).
  const cues = await student.$eval('figure.lms-media video', (v) => new Promise((resolve, reject) => {
    const track = v.querySelector('track[kind="captions"]');
    const t = v.textTracks[0];
    if (!track || !t) { reject(new Error('no caption track')); return; }
    t.mode = 'showing';
    const timer = setTimeout(() => reject(new Error('no cues within 10 s')), 10_000);
    const check = () => {
      if (t.cues && t.cues.length > 0) {
        clearTimeout(timer);
        resolve({ n: t.cues.length, text: t.cues[0].text, lang: t.language, label: t.label });
      } else {
        setTimeout(check, 100);
      }
    };
    track.addEventListener('error', () => reject(new Error('the track did not load')));
    check();
  }));
  assert.deepEqual(cues, { n: 2, text: 'Hallo 5a!', lang: 'de', label: 'Deutsch' });
  await checkA11y(student, 'media material (student)');
  await student.context().close();
});
