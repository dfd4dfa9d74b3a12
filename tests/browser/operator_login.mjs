// An operator of the console for the tests that need one: `schulhof operator create` against
// a running platform's data directory, and the login with password and a TOTP code computed
// here (the one-time password is replaced on the first login). operator.test.mjs tests the
// login itself; this is the short way in for the pages behind it.

import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';

const BIN = process.env.SCHULHOF_BIN ?? '/var/tmp/schulhof-target/debug/schulhof';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code of `step` (30-second steps, HMAC-SHA-1, six digits). */
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 1_000_000).padStart(6, '0');
}

/**
 * Creates an operator with `role` (operator-admin, support, dpo) and returns
 * `login(page)`, which signs it in at `base` and lands on `/betrieb/`.
 */
export async function makeOperator(base, dataDir, login, role = 'operator-admin') {
  const { stdout } = await promisify(execFile)(BIN, [
    'operator', 'create', '--login', login, '--role', role, '--data', dataDir,
  ], { env: { ...process.env, SCHULHOF_LOG: 'warn' } });
  let password = stdout.match(/One-time password[^:]*: (\S+)/)[1];
  const secret = new URL(stdout.match(/otpauth:\/\/\S+/)[0]).searchParams.get('secret');
  let lastStep = 0;
  // Each code works once: wait for a step not used before.
  async function freshCode() {
    let step = Math.floor(Date.now() / 30_000);
    while (step <= lastStep) {
      await new Promise((r) => setTimeout(r, 1_000));
      step = Math.floor(Date.now() / 30_000);
    }
    lastStep = step;
    return totp(secret, step);
  }
  return async function signIn(page) {
    await page.goto(`${base}/betrieb/anmelden`);
    await page.locator('#op-login').fill(login);
    await page.locator('#op-password').fill(password);
    await page.locator('#op-code').fill(await freshCode());
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL((u) => ['/betrieb/', '/betrieb/passwort'].includes(u.pathname));
    if (new URL(page.url()).pathname === '/betrieb/passwort') {
      const fresh = `${login}-ein-langes-passwort`;
      await page.locator('#pw-old').fill(password);
      await page.locator('#pw-new').fill(fresh);
      await page.locator('#pw-repeat').fill(fresh);
      await page.getByRole('button', { name: 'Passwort ändern' }).click();
      password = fresh;
      await page.waitForURL((u) => u.pathname === '/betrieb/');
    }
  };
}
