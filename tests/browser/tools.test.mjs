// The connected-tools pages in a real browser at 1280 px and 360 px: the school's admin
// registers a tool (/verwaltung/werkzeuge), the teacher logs in to it through the platform
// and agrees to share the name (the tool's address is answered inside the browser), then
// withdraws the consent on /konto/werkzeuge; an operator registers a state-wide tool on
// /betrieb/werkzeuge; a tool with an initiate login URI appears as a tile in Mein Konto
// and on the home page, and its tile sends the browser to the tool with iss and
// target_link_uri (OpenID Connect Core §4). Every page: axe clean, one main landmark, labelled fields, nothing
// scrolls sideways.
//
//   cargo build -p schulhof && node --test tools.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { WIDTHS, checkPage } from './checks.mjs';
import { h1, loginAndConsent, startPlatform } from './harness.mjs';
import { makeOperator } from './operator_login.mjs';

// Nothing listens there: the browser answers the tool's redirect itself.
const TOOL = 'http://localhost:9';

let base;
let browser;
let platform;
let operatorState;

before(async () => {
  platform = await startPlatform('tools');
  ({ base, browser } = platform);
  const signIn = await makeOperator(base, platform.dataDir, 'tina.tools');
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  operatorState = await context.storageState();
  await context.close();
});

after(async () => {
  await platform?.stop();
});

/** Fills the registration form open on `page`; returns the client_id shown once. */
async function register(page, name, redirect, initiate = '') {
  await page.locator('#tool-name').fill(name);
  await page.locator('#tool-redirect').fill(redirect);
  if (initiate) await page.locator('#tool-initiate').fill(initiate);
  await page.locator('#tool-claim_name').check();
  await page.getByRole('button', { name: 'Registrieren' }).click();
  const shown = page.getByRole('status').filter({ hasText: 'Werkzeug registriert' });
  await shown.waitFor();
  assert.match(await shown.innerText(), /client_secret/);
  const id = (await shown.locator('dd code').first().innerText()).trim();
  assert.ok(id.length > 8, `a client_id: ${id}`);
  await page.getByRole('cell', { name: new RegExp(name) }).waitFor();
  return id;
}

for (const { name, viewport } of WIDTHS) {
  test(`at ${name} px: a school tool registered, consent given and withdrawn`, async () => {
    const tool = `Lernplattform ${name}`;
    const redirect = `${TOOL}/callback-${name}`;

    const admin = await browser.newContext({ viewport });
    const a = await admin.newPage();
    await loginAndConsent(base, a, 'admin');
    await a.goto(`${base}/verwaltung/werkzeuge`);
    assert.equal(await h1(a), 'Angebundene Werkzeuge');
    await checkPage(a, `tools school ${name}`);
    const clientId = await register(a, tool, redirect);
    await checkPage(a, `tools school registered ${name}`);
    await admin.close();

    const teacher = await browser.newContext({ viewport });
    const t = await teacher.newPage();
    await t.route(`${TOOL}/**`, (route) => route.fulfill({
      status: 200, contentType: 'text/html', body: '<!doctype html><title>Werkzeug</title><p>angekommen</p>',
    }));
    await loginAndConsent(base, t, 'lehrer');
    await t.goto(`${base}/konto/werkzeuge`);
    assert.equal(await h1(t), 'Verbundene Werkzeuge');
    await checkPage(t, `tools mine empty ${name}`);
    const q = new URLSearchParams({
      client_id: clientId, redirect_uri: redirect, response_type: 'code',
      scope: 'openid profile', state: `s-${name}`, nonce: `n-${name}`,
    });
    await t.goto(`${base}/oidc/authorize?${q}`);
    await t.waitForURL((u) => u.pathname === '/oidc/zustimmung');
    assert.match(await t.locator('main').innerText(), new RegExp(tool));
    await checkPage(t, `tools consent ${name}`);
    await t.getByRole('button', { name: 'Zustimmen und Daten weitergeben' }).click();
    await t.waitForURL((u) => u.href.startsWith(redirect));
    const back = new URL(t.url()).searchParams;
    assert.ok(back.get('code'), 'the tool gets a code');
    assert.equal(back.get('state'), `s-${name}`);

    await t.goto(`${base}/konto/werkzeuge`);
    const row = t.getByRole('row', { name: new RegExp(tool) });
    assert.match(await row.innerText(), /Vor- und Nachname|Name/);
    await checkPage(t, `tools mine ${name}`);
    await row.getByRole('button', { name: `Zustimmung widerrufen: ${tool}` }).click();
    await t.getByText('Die Zustimmung ist widerrufen').waitFor();
    assert.equal(await t.getByRole('row', { name: new RegExp(tool) }).count(), 0);
    await checkPage(t, `tools mine revoked ${name}`);
    await teacher.close();
  });

  test(`at ${name} px: an operator registers a state-wide tool`, async () => {
    const op = await browser.newContext({ viewport, storageState: operatorState });
    const o = await op.newPage();
    await o.goto(`${base}/betrieb/werkzeuge`);
    assert.equal(await h1(o), 'Landesweite Werkzeuge');
    await checkPage(o, `tools operator ${name}`);
    await register(o, `Landesmediathek ${name}`, `https://mediathek.example/cb-${name}`);
    await checkPage(o, `tools operator registered ${name}`);
    await op.close();
  });

  test(`at ${name} px: a tool's tile opens it from the platform`, async () => {
    const tool = `Kachelwerkzeug ${name}`;
    const initiate = `${TOOL}/start-${name}`;

    const admin = await browser.newContext({ viewport });
    const a = await admin.newPage();
    await loginAndConsent(base, a, 'admin');
    await a.goto(`${base}/verwaltung/werkzeuge`);
    const clientId = await register(a, tool, `${TOOL}/cb-tile-${name}`, initiate);
    await admin.close();

    const teacher = await browser.newContext({ viewport });
    const t = await teacher.newPage();
    await t.route(`${TOOL}/**`, (route) => route.fulfill({
      status: 200, contentType: 'text/html', body: '<!doctype html><title>Werkzeug</title><p>gestartet</p>',
    }));
    await loginAndConsent(base, t, 'lehrer');
    await t.goto(`${base}/`);
    const card = t.locator('.home-card-tools');
    await card.getByRole('link', { name: tool }).waitFor();
    await checkPage(t, `tools home card ${name}`);
    await t.goto(`${base}/konto/werkzeuge`);
    await t.getByRole('heading', { name: 'Meine Werkzeuge' }).waitFor();
    const tile = t.getByRole('link', { name: new RegExp(tool) });
    assert.equal(await tile.getAttribute('href'), `/werkzeuge/${clientId}/start`);
    await checkPage(t, `tools tiles ${name}`);
    await tile.click();
    await t.waitForURL((u) => u.href.startsWith(initiate));
    const at = new URL(t.url());
    assert.equal(at.searchParams.get('iss'), base);
    assert.equal(at.searchParams.get('target_link_uri'), 'http://localhost:9/');
    await teacher.close();
  });
}
