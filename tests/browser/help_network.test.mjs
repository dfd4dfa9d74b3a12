// The help network's forum and tickets in a real browser at 1280 px and 360 px: a teacher
// opens a topic in a forum and a support ticket; an operator (TOTP login) finds both in the
// console, answers the ticket, and the teacher reads the answer. Every page: axe clean, one
// main landmark, labelled fields, nothing scrolls sideways.
//
//   cargo build -p schulhof && node --test help_network.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { WIDTHS, checkPage } from './checks.mjs';
import { h1, loginAndConsent, startPlatform } from './harness.mjs';
import { makeOperator } from './operator_login.mjs';

// A long link must wrap on a phone, not widen the page.
const LONG_URL = 'https://schulamt.example/anleitungen/stundenplan/import-aus-der-schulverwaltung-schritt-fuer-schritt.html';

let base;
let browser;
let platform;
/** The operator's signed-in cookies, reused at each width (a TOTP code works once). */
let operatorState;

before(async () => {
  platform = await startPlatform('help-network');
  ({ base, browser } = platform);
  const signIn = await makeOperator(base, platform.dataDir, 'sven.support');
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  operatorState = await context.storageState();
  await context.close();
});

after(async () => {
  await platform?.stop();
});

for (const { name, viewport } of WIDTHS) {
  test(`at ${name} px: a topic and a ticket, answered in the console`, async () => {
    const topic = `Stundenplan importieren ${name}`;
    const subject = `Beamer in Raum 12 ${name}`;

    const teacher = await browser.newContext({ viewport });
    const t = await teacher.newPage();
    await loginAndConsent(base, t, 'lehrer');

    // The forums, one forum, a new topic.
    await t.goto(`${base}/hilfe/forum`);
    assert.equal(await h1(t), 'Foren');
    await checkPage(t, `help-forums ${name}`);
    await t.getByRole('link', { name: 'Allgemeines' }).click();
    await t.waitForURL('**/hilfe/forum/allgemein');
    await checkPage(t, `help-forum ${name}`);
    await t.locator('#topic-title').fill(topic);
    await t.locator('#topic-text').fill(`Wie kommt der Stundenplan hinein? ${LONG_URL}\n\nDanke im Voraus.`);
    await t.getByRole('button', { name: 'Thema eröffnen' }).click();
    await t.waitForURL(/\/hilfe\/forum\/thema\/.*ok=help_topic_opened/);
    assert.equal(await h1(t), topic);
    await t.getByText('Danke im Voraus.').waitFor();
    await checkPage(t, `help-topic ${name}`);

    // A ticket.
    await t.goto(`${base}/hilfe/tickets`);
    assert.equal(await h1(t), 'Support-Anfragen');
    await checkPage(t, `help-tickets ${name}`);
    await t.locator('#ticket-subject').fill(subject);
    await t.locator('#ticket-text').fill(`Der Beamer zeigt kein Bild, siehe ${LONG_URL}`);
    await t.getByRole('button', { name: 'Anfrage senden' }).click();
    await t.waitForURL(/\/hilfe\/tickets\/.*ok=help_ticket_opened/);
    assert.equal(await h1(t), subject);
    assert.match(await t.locator('dl.facts').innerText(), /offen/);
    await checkPage(t, `help-ticket ${name}`);
    const ticket = t.url().split('?')[0];

    // The operator finds the topic and answers the ticket.
    const op = await browser.newContext({ viewport, storageState: operatorState });
    const o = await op.newPage();
    await o.goto(`${base}/betrieb/forum`);
    assert.equal(await h1(o), 'Foren');
    await checkPage(o, `operator-forums ${name}`);
    await o.getByRole('link', { name: 'Allgemeines' }).click();
    await o.getByRole('link', { name: topic }).click();
    assert.equal(await h1(o), topic);
    await o.getByRole('heading', { name: 'Moderieren' }).waitFor();
    await checkPage(o, `operator-topic ${name}`);
    await o.goto(`${base}/betrieb/tickets`);
    assert.equal(await h1(o), 'Support-Anfragen');
    await checkPage(o, `operator-tickets ${name}`);
    await o.getByRole('link', { name: new RegExp(subject) }).click();
    assert.equal(await h1(o), subject);
    await checkPage(o, `operator-ticket ${name}`);
    await o.locator('#ticket-reply').fill('Bitte das HDMI-Kabel tauschen.');
    await o.getByRole('button', { name: 'Senden', exact: true }).click();
    await o.waitForURL(/ok=op_ticket_answered/);
    assert.match(await o.locator('dl.facts').innerText(), /beantwortet/);
    await checkPage(o, `operator-ticket-answered ${name}`);
    await op.close();

    // The teacher reads the answer.
    await t.goto(ticket);
    await t.getByText('Bitte das HDMI-Kabel tauschen.').waitFor();
    assert.match(await t.locator('dl.facts').innerText(), /beantwortet/);
    await teacher.close();
  });
}
