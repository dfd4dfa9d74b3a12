// The webmail in a real browser at 1280 px and 360 px: the teacher writes to the student
// with an attachment (the address suggested while typing), the student reads it, downloads
// the attachment and answers, the teacher finds the answer. The storage use is shown, the
// draft saves itself while writing, nothing scrolls sideways and axe is clean on every page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('mail');
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

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`at ${w} px: write with an attachment, read, answer`, async () => {
    const subject = `Arbeitsblatt ${w}`;
    const teacher = await signedIn(w, h, 'lehrer');
    const t = teacher.page;

    // The inbox with the storage used against the quota.
    await t.goto(`${base}/mail`);
    await t.getByRole('heading', { level: 1, name: 'Posteingang' }).waitFor();
    assert.match(await t.locator('.mail-usage').innerText(), /Speicher: .* von .* belegt/);
    await fits(t, w, 'inbox');
    await checkA11y(t, `mail inbox ${w}`);
    await shot(t, `mail-inbox-${w}`);

    // Writing: the student's address is suggested while typing her name.
    await t.goto(`${base}/mail/neu`);
    const to = t.getByLabel('An', { exact: true });
    await to.pressSequentially('Sophie', { delay: 30 });
    const option = t.locator('#mail-addresses option').first();
    await option.waitFor({ state: 'attached' });
    const suggested = await option.getAttribute('value');
    assert.match(suggested, /sophie\.schueler@/);
    await to.fill(suggested);
    await t.getByLabel('Betreff').fill(subject);
    await t.getByLabel('Nachricht').fill('Bitte bis Freitag bearbeiten.');
    await t.locator('#compose-files').setInputFiles({
      name: 'blatt.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Aufgabe 1: 3/4 + 1/8'),
    });
    if (w === 1280) {
      // With JavaScript the draft saves itself a few seconds after a change.
      await t.getByText(/Entwurf automatisch gespeichert um/).waitFor({ timeout: 15_000 });
    }
    await fits(t, w, 'compose');
    await checkA11y(t, `mail compose ${w}`);
    await shot(t, `mail-compose-${w}`);
    await t.getByRole('button', { name: 'Senden' }).click();
    await t.waitForURL((u) => u.pathname === '/mail');
    await t.getByText('Die E-Mail ist gesendet.').waitFor();

    // The student reads it, with its attachment, and answers.
    const student = await signedIn(w, h, 'schueler');
    const s = student.page;
    await s.goto(`${base}/mail`);
    await s.getByRole('link', { name: subject }).click();
    await s.getByRole('heading', { level: 1, name: subject }).waitFor();
    assert.match(await s.locator('.mail-text').innerText(), /Bitte bis Freitag bearbeiten\./);
    const attachment = s.getByRole('link', { name: /blatt\.txt/ });
    const [download] = await Promise.all([s.waitForEvent('download'), attachment.click()]);
    assert.equal(download.suggestedFilename(), 'blatt.txt');
    await fits(s, w, 'message');
    await checkA11y(s, `mail message ${w}`);
    await shot(s, `mail-message-${w}`);
    await s.getByRole('link', { name: 'Antworten', exact: true }).click();
    assert.equal(await s.getByLabel('Betreff').inputValue(), `Re: ${subject}`);
    assert.match(await s.getByLabel('An', { exact: true }).inputValue(), /lena\.lehmann@/);
    await s.getByLabel('Nachricht').press('Control+Home');
    await s.getByLabel('Nachricht').pressSequentially('Erledigt!');
    await s.getByRole('button', { name: 'Senden' }).click();
    await s.waitForURL((u) => u.pathname === '/mail');

    // The teacher finds the answer.
    await t.goto(`${base}/mail`);
    await t.getByRole('link', { name: `Re: ${subject}` }).click();
    assert.match(await t.locator('.mail-text').innerText(), /Erledigt!/);
    await checkA11y(t, `mail answer ${w}`);
    await teacher.context.close();
    await student.context.close();
  });
}

test('a student writing outside the school is told so at the form', async () => {
  const { context, page } = await signedIn(1280, 800, 'schueler');
  await page.goto(`${base}/mail/neu`);
  await page.getByLabel('An', { exact: true }).fill('freund@example.org');
  await page.getByLabel('Betreff').fill('Hallo');
  await page.getByRole('button', { name: 'Senden' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /freund@example\.org: An diese Adresse darfst du nicht schreiben\./);
  assert.equal(await page.getByLabel('Betreff').inputValue(), 'Hallo');
  await checkA11y(page, 'mail refused');
  await context.close();
});

test('a file from the own area is attached in a dialog; two messages are moved at once', async () => {
  const subject = 'Elternbrief aus den Dateien';
  const teacher = await signedIn(1280, 800, 'lehrer');
  const t = teacher.page;

  // The teacher keeps a letter in her own files.
  await t.goto(`${base}/dateien`);
  await t.locator('.tiles').getByRole('link', { name: /Eigene Dateien/ }).click();
  await t.getByLabel(/^Dateien( \(Pflichtfeld\))?$/).setInputFiles({
    name: 'Elternbrief.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Liebe Eltern, am Freitag ist Wandertag.'),
  });
  await t.getByRole('button', { name: 'Hochladen', exact: true }).click();
  await t.waitForURL((u) => u.searchParams.get('ok') === 'uploaded');

  // Writing, she picks it in the dialog: open her area, tick the file, attach.
  await t.goto(`${base}/mail/neu`);
  const to = t.getByLabel('An', { exact: true });
  await to.pressSequentially('Sophie', { delay: 30 });
  const option = t.locator('#mail-addresses option').first();
  await option.waitFor({ state: 'attached' });
  await to.fill(await option.getAttribute('value'));
  await t.getByLabel('Betreff').fill(subject);
  await t.getByRole('button', { name: 'Aus meinen Dateien wählen …' }).click();
  const dialog = t.getByRole('dialog', { name: 'Dateien anhängen' });
  await dialog.getByRole('link', { name: /Eigene Dateien/ }).click();
  await dialog.getByLabel(/Elternbrief\.txt/).check();
  await checkA11y(t, 'mail file picker dialog');
  await shot(t, 'mail-pick-dialog');
  await dialog.getByRole('button', { name: 'Anhängen' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const picked = t.getByRole('checkbox', { name: /Elternbrief\.txt.*aus meinen Dateien/ });
  assert.ok(await picked.isChecked());
  await checkA11y(t, 'mail compose with a picked file');
  await t.getByRole('button', { name: 'Senden' }).click();
  await t.waitForURL((u) => u.pathname === '/mail');
  await t.getByText('Die E-Mail ist gesendet.').waitFor();
  await teacher.context.close();

  // The student gets the letter with the file.
  const student = await signedIn(1280, 800, 'schueler');
  const s = student.page;
  await s.goto(`${base}/mail`);
  await s.getByRole('link', { name: subject }).click();
  const attachment = s.getByRole('link', { name: /Elternbrief\.txt/ });
  const [download] = await Promise.all([s.waitForEvent('download'), attachment.click()]);
  assert.equal(download.suggestedFilename(), 'Elternbrief.txt');

  // Two messages moved at once into a new folder, with one form.
  await s.goto(`${base}/mail/ordner/neu`);
  await s.getByLabel('Name des Ordners').fill('Schule');
  await s.getByRole('button', { name: 'Ordner anlegen' }).click();
  await s.goto(`${base}/mail`);
  await s.getByRole('checkbox', { name: `Auswählen: ${subject}` }).check();
  await s.getByRole('checkbox', { name: 'Auswählen: Arbeitsblatt 1280' }).check();
  await s.getByText('2 ausgewählt').waitFor();
  await checkA11y(s, 'mail inbox with two messages chosen');
  await s.getByLabel('Verschieben nach').selectOption({ label: 'Schule' });
  await s.getByRole('button', { name: 'Verschieben', exact: true }).click();
  await s.getByText('Die ausgewählten Nachrichten sind verschoben.').waitFor();
  assert.equal(await s.getByRole('link', { name: subject }).count(), 0);
  await s.getByRole('navigation', { name: 'Ordner' }).getByRole('link', { name: 'Schule' }).click();
  await s.getByRole('link', { name: subject }).waitFor();
  await s.getByRole('link', { name: 'Arbeitsblatt 1280', exact: true }).waitFor();
  // "Select all" ticks every message of the page.
  await s.getByRole('checkbox', { name: 'Alle auswählen' }).check();
  await s.getByText('2 ausgewählt').waitFor();
  await checkA11y(s, 'mail own folder, all chosen');
  await student.context.close();
});
