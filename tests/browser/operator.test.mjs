// The operators' console in a real browser at 1280 px and 360 px, every page checked with
// axe-core: an operator made on the command line logs in with password and a TOTP code
// computed here, replaces the one-time password, creates a school and sees its counts.
//
//   cargo build -p schulhof && node --test --test-concurrency=1 operator.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { checkA11y, h1, shot, startPlatform } from './harness.mjs';
import { totp } from './operator_login.mjs';

const BIN = process.env.SCHULHOF_BIN ?? '/var/tmp/schulhof-target/debug/schulhof';
const NEW_PASSWORD = 'ein-langes-betriebspasswort';

let base;
let browser;
let platform;

const WIDTHS = [
  { name: 'wide', viewport: { width: 1280, height: 800 } },
  { name: 'narrow', viewport: { width: 360, height: 640 } },
];

before(async () => {
  platform = await startPlatform('operator');
  ({ base, browser } = platform);
});

after(async () => {
  await platform?.stop();
});

/** `schulhof operator create` against the running platform's data directory. */
async function createOperator(login) {
  const { stdout } = await promisify(execFile)(BIN, [
    'operator', 'create', '--login', login, '--role', 'operator-admin', '--data', platform.dataDir,
  ], { env: { ...process.env, SCHULHOF_LOG: 'warn' } });
  const password = stdout.match(/One-time password[^:]*: (\S+)/)[1];
  const uri = stdout.match(/otpauth:\/\/\S+/)[0];
  const secret = new URL(uri).searchParams.get('secret');
  const codes = [...stdout.matchAll(/^ {2}([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})$/gm)].map((m) => m[1]);
  assert.equal(codes.length, 10, 'ten recovery codes are printed');
  return { password, secret, codes };
}

/** A code of a step not used before (each code works once). */
let lastStep = 0;
async function freshCode(secret) {
  let step = Math.floor(Date.now() / 30_000);
  while (step <= lastStep) {
    await new Promise((r) => setTimeout(r, 1_000));
    step = Math.floor(Date.now() / 30_000);
  }
  lastStep = step;
  return totp(secret, step);
}

async function login(page, user, password, code) {
  await page.goto(`${base}/betrieb/`);
  await page.waitForURL((u) => u.pathname === '/betrieb/anmelden');
  await page.locator('#op-login').fill(user);
  await page.locator('#op-password').fill(password);
  await page.locator('#op-code').fill(code);
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
}

test('an operator logs in with TOTP, creates a school and sees its counts', async () => {
  const op = await createOperator('anna.betrieb');
  let password = op.password;
  for (const [i, { name, viewport }] of WIDTHS.entries()) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${base}/betrieb/anmelden`);
    assert.equal(await h1(page), 'Betrieb der Plattform');
    await checkA11y(page, `operator login (${name})`);
    await shot(page, `operator-login-${name}`);

    // Without the code: refused, with the message at the form.
    if (i === 0) {
      await page.locator('#op-login').fill('anna.betrieb');
      await page.locator('#op-password').fill(password);
      await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
      // The browser itself insists on the required field; the page is still the login.
      assert.equal(new URL(page.url()).pathname, '/betrieb/anmelden');
    }

    await login(page, 'anna.betrieb', password, await freshCode(op.secret));
    if (i === 0) {
      // The one-time password is replaced first.
      await page.waitForURL((u) => u.pathname === '/betrieb/passwort');
      await checkA11y(page, `operator password (${name})`);
      await page.locator('#pw-old').fill(password);
      await page.locator('#pw-new').fill(NEW_PASSWORD);
      await page.locator('#pw-repeat').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Passwort ändern' }).click();
      password = NEW_PASSWORD;
    }
    await page.waitForURL((u) => u.pathname === '/betrieb/');
    assert.equal(await h1(page), 'Schulen');
    const table = page.getByRole('table', { name: 'Schulen mit Konten und Speicher' });
    await table.waitFor();
    const demo = table.getByRole('row', { name: /Demo-Gymnasium/ });
    assert.match(await demo.textContent(), /\b7\b/, 'the demo school has seven accounts');
    await checkA11y(page, `operator schools (${name})`);
    await shot(page, `operator-schools-${name}`);

    const number = `20000${i + 1}`;
    await page.locator('#new-number').fill(number);
    await page.locator('#new-name').fill(`Neue Schule ${name}`);
    await page.getByRole('button', { name: 'Schule anlegen' }).click();
    await page.waitForURL((u) => u.pathname === `/betrieb/schulen/${number}`);
    assert.equal(await h1(page), `Neue Schule ${name}`);
    await page.getByRole('status').getByText('Die Schule ist angelegt.').waitFor();
    assert.equal((await page.locator('dd[data-count="accounts"]').textContent()).trim(), '1');
    await checkA11y(page, `operator school (${name})`);
    await shot(page, `operator-school-${name}`);

    for (const [path, title] of [
      ['/betrieb/vorgaben', 'Landesvorgaben für neue Schulen'],
      ['/betrieb/protokoll', 'Protokoll des Betriebs'],
      [`/betrieb/schulen/${number}/loeschen`, 'Schule löschen'],
    ]) {
      await page.goto(`${base}${path}`);
      assert.equal(await h1(page), title);
      await checkA11y(page, `${path} (${name})`);
    }
    // The log reads in words, with the code beside them.
    await page.goto(`${base}/betrieb/protokoll`);
    const created = page.getByRole('row').filter({ hasText: 'Schule angelegt' }).first();
    assert.match(await created.innerText(), /school\.create/);
    assert.equal(await page.getByRole('cell', { name: 'school.create', exact: true }).count(), 0);
    await shot(page, `operator-log-${name}`);
    await context.close();
  }
});

test('a recovery code takes the place of the app once, and new codes replace the old', async () => {
  const op = await createOperator('rosa.betrieb');
  let password = op.password;
  let codes = op.codes;
  for (const [i, { name, viewport }] of WIDTHS.entries()) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    // Password and a recovery code instead of the app's code.
    await login(page, 'rosa.betrieb', password, codes[0].toLowerCase());
    if (i === 0) {
      await page.waitForURL((u) => u.pathname === '/betrieb/passwort');
      await page.locator('#pw-old').fill(password);
      await page.locator('#pw-new').fill(NEW_PASSWORD);
      await page.locator('#pw-repeat').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Passwort ändern' }).click();
      password = NEW_PASSWORD;
      await page.waitForURL((u) => u.pathname === '/betrieb/');
      await page.goto(`${base}/betrieb/wiederherstellung`);
    } else {
      // The login lands where the operator learns how many codes remain.
      await page.waitForURL((u) => u.pathname === '/betrieb/wiederherstellung');
      await page.getByRole('status').getByText(/Wiederherstellungscode angemeldet/).waitFor();
    }
    assert.equal(await h1(page), 'Wiederherstellungscodes');
    assert.equal(await page.locator('#rc-left').getAttribute('data-left'), '9');
    await checkA11y(page, `operator recovery (${name})`);
    await shot(page, `operator-recovery-${name}`);

    // The used code does not work again.
    const again = await browser.newContext({ viewport });
    const other = await again.newPage();
    await login(other, 'rosa.betrieb', password, codes[0]);
    await other.getByRole('alert').waitFor();
    assert.equal(new URL(other.url()).pathname, '/betrieb/anmelden');
    await again.close();

    // A wrong password makes no new set; the right one does, shown once.
    await page.locator('#rc-password').fill('falsch');
    await page.getByRole('button', { name: 'Neue Codes erzeugen' }).click();
    await page.locator('#rc-password[aria-invalid="true"]').waitFor();
    assert.equal(await page.locator('#rc-left').getAttribute('data-left'), '9');
    await page.locator('#rc-password').fill(password);
    await page.getByRole('button', { name: 'Neue Codes erzeugen' }).click();
    const shown = page.getByRole('list', { name: 'Ihre neuen Wiederherstellungscodes' });
    await shown.waitFor();
    const fresh = (await shown.getByRole('listitem').allInnerTexts()).map((t) => t.trim());
    assert.equal(fresh.length, 10);
    assert.ok(!fresh.includes(codes[1]), 'all codes are new');
    await checkA11y(page, `operator recovery codes shown (${name})`);
    await shot(page, `operator-recovery-new-${name}`);
    await context.close();

    // An old, unused code is refused now.
    const old = await browser.newContext({ viewport });
    const o = await old.newPage();
    await login(o, 'rosa.betrieb', password, codes[1]);
    await o.getByRole('alert').waitFor();
    await old.close();
    codes = fresh;
  }

  // The log names the uses of recovery codes and the new sets in words.
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, 'rosa.betrieb', password, codes[0]);
  await page.waitForURL((u) => u.pathname === '/betrieb/wiederherstellung');
  await page.goto(`${base}/betrieb/protokoll`);
  const used = page.getByRole('row').filter({ hasText: 'Mit Wiederherstellungscode angemeldet' });
  assert.ok(await used.count() >= 2);
  assert.match(await used.first().innerText(), /login_recovery_code/);
  assert.ok(await page.getByRole('row').filter({ hasText: 'Neue Wiederherstellungscodes erzeugt' }).count() >= 2);
  await context.close();
});
