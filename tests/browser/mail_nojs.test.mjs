// The webmail with JavaScript switched off, at 1280 px and 360 px: reading and sending work
// with plain links and forms. The teacher writes to the student with an attachment, the
// student reads it, flags it, marks it unread, downloads the attachment and answers; the
// teacher finds the answer and deletes it to the trash. (axe and the width checks run script
// in the page, which this context refuses: mail.test.mjs checks the same pages with them.)
//
//   cargo build -p schulhof && node --test mail_nojs.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { loginAndConsent, startPlatform } from './harness.mjs';

const STUDENT = 'sophie.schueler@100000.nrw.schule';

let base;
let browser;
let platform;

before(async () => {
  platform = await startPlatform('mail-nojs');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

async function signedIn(w, h, user) {
  const context = await browser.newContext({
    viewport: { width: w, height: h },
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  await loginAndConsent(base, page, user);
  return { context, page };
}

for (const [w, h] of [[1280, 800], [360, 640]]) {
  test(`at ${w} px without JavaScript: send with an attachment, read, flag, answer, delete`, async () => {
    const subject = `Ohne Skript ${w}`;
    const teacher = await signedIn(w, h, 'lehrer');
    const t = teacher.page;

    await t.goto(`${base}/mail/neu`);
    await t.getByLabel('An', { exact: true }).fill(STUDENT);
    await t.getByLabel('Betreff').fill(subject);
    await t.getByLabel('Nachricht').fill('Bitte das Blatt ausfüllen.');
    await t.locator('#compose-files').setInputFiles({
      name: 'blatt.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Aufgabe 1: 7 * 8'),
    });
    await t.getByRole('button', { name: 'Senden' }).click();
    await t.waitForURL((u) => u.pathname === '/mail');
    await t.getByText('Die E-Mail ist gesendet.').waitFor();

    // The student reads it: a plain link to the message, the attachment a download.
    const student = await signedIn(w, h, 'schueler');
    const s = student.page;
    await s.goto(`${base}/mail`);
    await s.getByRole('link', { name: subject }).click();
    await s.getByRole('heading', { level: 1, name: subject }).waitFor();
    assert.match(await s.locator('.mail-text').innerText(), /Bitte das Blatt ausfüllen\./);
    const [download] = await Promise.all([
      s.waitForEvent('download'),
      s.getByRole('link', { name: /blatt\.txt/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'blatt.txt');

    // Flag and mark unread: forms that post and come back.
    await s.getByRole('button', { name: 'Markieren', exact: true }).click();
    await s.getByRole('button', { name: 'Markierung entfernen' }).waitFor();
    await s.getByRole('button', { name: 'Als ungelesen markieren' }).click();
    await s.waitForLoadState();

    // Back from the inbox to the message (marking unread may lead to the folder).
    await s.goto(`${base}/mail`);
    await s.getByRole('link', { name: subject }).click();
    await s.getByRole('heading', { level: 1, name: subject }).waitFor();

    // The answer, from the reply link's form (the original quoted below).
    await s.getByRole('link', { name: 'Antworten', exact: true }).click();
    assert.equal(await s.getByLabel('Betreff').inputValue(), `Re: ${subject}`);
    assert.match(await s.getByLabel('An', { exact: true }).inputValue(), /lena\.lehmann@/);
    await s.getByLabel('Nachricht').fill('Erledigt, ohne Skript.');
    await s.getByRole('button', { name: 'Senden' }).click();
    await s.waitForURL((u) => u.pathname === '/mail');
    await s.getByText('Die E-Mail ist gesendet.').waitFor();

    // The teacher finds the answer and deletes it to the trash.
    await t.goto(`${base}/mail`);
    await t.getByRole('link', { name: `Re: ${subject}` }).click();
    assert.match(await t.locator('.mail-text').innerText(), /Erledigt, ohne Skript\./);
    await t.getByRole('button', { name: 'Löschen', exact: true }).click();
    await t.waitForURL((u) => u.pathname.startsWith('/mail'));
    await t.goto(`${base}/mail`);
    assert.equal(await t.getByRole('link', { name: `Re: ${subject}` }).count(), 0);
    await teacher.context.close();
    await student.context.close();
  });
}
