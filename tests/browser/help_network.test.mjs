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

// Support's guides and blog, and the readers' blog: every page axe clean at both widths.
for (const { name, viewport } of WIDTHS) {
  test(`at ${name} px: guides and blog in the console, the blog for readers`, async () => {
    const title = `Neue Tafeln im Schulamt ${name}`;
    const op = await browser.newContext({ viewport, storageState: operatorState });
    const o = await op.newPage();

    // The guides: the list, a new one, saved, and its edit page with the reset.
    await o.goto(`${base}/betrieb/anleitungen`);
    assert.equal(await h1(o), 'Anleitungen und FAQ');
    await checkPage(o, `operator-guides ${name}`);
    await o.getByRole('link', { name: 'Neue Anleitung' }).click();
    await o.waitForURL('**/betrieb/anleitungen/neu');
    await checkPage(o, `operator-guide-new ${name}`);
    const slug = `tafeln-${name}`;
    await o.locator('#guide-slug').fill(slug);
    await o.locator('#guide-title').fill(`Tafeln ${name}`);
    await o.locator('#guide-text').fill(`# Tafeln\n\nSo geht es: ${LONG_URL}`);
    await o.getByRole('button', { name: 'Speichern' }).click();
    await o.waitForURL(new RegExp(`/betrieb/anleitungen/${slug}\\?ok=op_guide_saved`));
    await checkPage(o, `operator-guide-edit ${name}`);

    // The blog: the list, a new post, published, its edit page.
    await o.goto(`${base}/betrieb/blog`);
    assert.equal(await h1(o), 'Blog des Supports');
    await checkPage(o, `operator-blog ${name}`);
    await o.getByRole('link', { name: 'Neuer Beitrag' }).click();
    await o.waitForURL('**/betrieb/blog/neu');
    await checkPage(o, `operator-blog-new ${name}`);
    await o.locator('#blog-title').fill(title);
    await o.locator('#blog-text').fill(`Ab Montag hängen neue Tafeln. Mehr: ${LONG_URL}`);
    await o.getByRole('button', { name: 'Veröffentlichen' }).click();
    await o.waitForURL(/\/betrieb\/blog\?ok=op_blog_saved/);
    await checkPage(o, `operator-blog-saved ${name}`);
    await o.getByRole('link', { name: title }).click();
    await o.waitForURL(/\/betrieb\/blog\/[0-9a-f-]+$/);
    await checkPage(o, `operator-blog-edit ${name}`);
    await op.close();

    // A teacher reads it at /hilfe/blog.
    const teacher = await browser.newContext({ viewport });
    const t = await teacher.newPage();
    await loginAndConsent(base, t, 'lehrer');
    await t.goto(`${base}/hilfe/blog`);
    assert.equal(await h1(t), 'Blog des Supports');
    await checkPage(t, `help-blog ${name}`);
    await t.getByRole('link', { name: title }).click();
    assert.equal(await h1(t), title);
    await checkPage(t, `help-blog-post ${name}`);
    await teacher.close();
  });
}
