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
  return { password, secret };
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
    await page.goto(`${base}/betrieb/protokoll`);
    assert.ok(await page.getByRole('cell', { name: 'school.create' }).count() >= 1);
    await shot(page, `operator-log-${name}`);
    await context.close();
  }
});
