// Abuse control, stage 1, in a real browser at 1280 px and 360 px: a teacher writes outside
// the school, the Schulleitung asks for a domain analysis with a reason and a period, the
// data-protection officer (an operator with the dpo role, TOTP login) approves it on the
// console with a reason, and the Schulleitung sees messages per external domain and day —
// no address, subject or person. Every page: axe clean, one main landmark, labelled
// fields, nothing scrolls sideways.
//
//   cargo build -p schulhof && node --test mail_abuse.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { WIDTHS, checkPage } from './checks.mjs';
import { h1, loginAndConsent, startPlatform } from './harness.mjs';
import { makeOperator } from './operator_login.mjs';

let base;
let browser;
let platform;
let officer;

before(async () => {
  platform = await startPlatform('mail-abuse');
  ({ base, browser } = platform);
  officer = await makeOperator(base, platform.dataDir, 'dora.dsb', 'dpo');
});

after(async () => {
  await platform?.stop();
});

async function signedIn(viewport, user) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await loginAndConsent(base, page, user);
  return { context, page };
}

/** The teacher writes to an address outside the school (kept as traffic data). */
async function writeOutside(viewport, to, subject) {
  const teacher = await signedIn(viewport, 'lehrer');
  const t = teacher.page;
  await t.goto(`${base}/mail/neu`);
  await t.getByLabel('An', { exact: true }).fill(to);
  await t.getByLabel('Betreff').fill(subject);
  await t.getByRole('button', { name: 'Senden' }).click();
  await t.waitForURL((u) => !u.pathname.startsWith('/mail/neu'));
  await teacher.context.close();
}

for (const { name, viewport } of WIDTHS) {
  test(`at ${name} px: asked, approved by the officer, counts per domain shown`, async () => {
    const subject = `Privat ${name}`;
    await writeOutside(viewport, `freund.${name}@gmx.de`, subject);
    const reason = `Verdacht auf private Massenmails (${name} px)`;

    const head = await signedIn(viewport, 'schulleitung');
    const h = head.page;
    await h.goto(`${base}/verwaltung/mail/missbrauch`);
    assert.equal(await h1(h), 'Missbrauchskontrolle');
    await checkPage(h, `mail-abuse overview ${name}`);
    await h.getByLabel('Begründung').fill(reason);
    // The form offers the kept seven days up to today; the defaults are the whole span.
    await h.getByRole('button', { name: 'Domänenanalyse beantragen' }).click();
    await h.waitForURL(/ok=abuse_requested/);
    await h.getByText('Der Antrag ist gestellt').waitFor();
    const row = h.getByRole('row', { name: new RegExp(reason.replace(/[()]/g, '.')) });
    assert.match(await row.innerText(), /Wartet auf den Datenschutzbeauftragten/);
    await checkPage(h, `mail-abuse requested ${name}`);

    const op = await browser.newContext({ viewport });
    const o = await op.newPage();
    await officer(o);
    // The console's menu offers the page to the officer (folded away at 360 px).
    assert.ok((await o.locator('a[href="/betrieb/missbrauch"]').count()) >= 1);
    await o.goto(`${base}/betrieb/missbrauch`);
    const card = o.getByRole('article').filter({ hasText: reason });
    await checkPage(o, `mail-abuse officer ${name}`);
    await card.getByLabel('Begründung der Entscheidung').fill('Begründet, Zeitraum angemessen');
    await card.getByRole('button', { name: 'Zustimmen' }).click();
    await o.waitForURL(/ok=abuse_approved/);
    await o.getByText('Dem Antrag ist zugestimmt.').waitFor();
    assert.equal(await o.getByRole('article').filter({ hasText: reason }).count(), 0);
    await checkPage(o, `mail-abuse officer decided ${name}`);
    await op.close();

    await h.goto(`${base}/verwaltung/mail/missbrauch`);
    const approved = h.getByRole('row', { name: new RegExp(reason.replace(/[()]/g, '.')) });
    assert.match(await approved.innerText(), /Genehmigt/);
    await approved.getByRole('link', { name: 'Auswertung ansehen' }).click();
    await h.waitForURL(/\/verwaltung\/mail\/missbrauch\/[0-9a-f-]{36}$/);
    assert.equal(await h1(h), 'Domänenanalyse');
    const gmx = h.getByRole('row', { name: /gmx\.de/ });
    assert.ok((await gmx.count()) >= 1, 'a line for gmx.de');
    assert.match(await gmx.first().innerText(), /ausgehend/);
    const main = await h.locator('main').innerText();
    assert.doesNotMatch(main, /freund/, 'no local part');
    assert.doesNotMatch(main, new RegExp(subject), 'no subject');
    assert.doesNotMatch(main, /lehrer/, 'no person');
    await checkPage(h, `mail-abuse analysis ${name}`);
    await head.context.close();
  });
}
