// A conference across two nodes on one PostgreSQL, with real browsers: the teacher starts it
// on node A (A's SFU hosts the media), a colleague joins through node B (B relays the
// signalling to A; her browser's media goes to A's address straight) and each decodes the
// other's camera. Then A dies (SIGKILL): B takes the media over within the lease, her page
// publishes and subscribes again at B, the teacher comes back through B, and both decode
// each other's camera again.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { chromium } from 'playwright-core';

import { freePort, loginAndConsent, waitHealthy } from './harness.mjs';
import { MEDIA_FLAGS, camGrows } from './media.mjs';

const BIN = process.env.SCHULHOF_BIN ?? '/var/tmp/schulhof-target/debug/schulhof';
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const ADMIN_URL = process.env.SCHULHOF_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The presence (and host) lease of both nodes, short for the test. */
const LEASE_SECS = 3;

function psql(sql) {
  execFileSync('psql', [ADMIN_URL, '-qAtc', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `schulhof serve --demo` as node `node` on the database `url`; resolves once healthy. */
async function startNode(url, dataDir, node) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const proc = spawn(BIN, ['--database', url, '--data', dataDir, 'serve', '--demo',
    '--listen', `127.0.0.1:${port}`, '--smtp-listen', '', '--submission-listen', '',
    '--imap-listen', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SCHULHOF_NODE_ID: node,
      SCHULHOF_SFU_BIND: '127.0.0.1:0',
      SCHULHOF_SFU_TCP_BIND: 'off',
      SCHULHOF_CONFERENCE_LEASE_SECS: String(LEASE_SECS),
    },
  });
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  await waitHealthy(proc, () => log, base);
  return { base, proc, log: () => log };
}

async function kill(n, signal) {
  if (n.proc.exitCode !== null || n.proc.signalCode !== null) return;
  const exited = new Promise((r) => n.proc.once('exit', r));
  n.proc.kill(signal);
  await exited;
}

async function mediaNode(page) {
  return page.evaluate(() => window.schulhofConference.mediaNode);
}

/** The media node once the page has joined (it is set after the page published). */
async function joinedNode(page) {
  await page.waitForFunction(() => window.schulhofConference.mediaNode, null, { timeout: 20_000 });
  return mediaNode(page);
}

test('a conference across two nodes, and its media moving when the host dies', async () => {
  const name = `schulhof_t_browser_${process.pid}_${Date.now()}`;
  psql(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'schulhof-browser-nodes-'));
  let a = null;
  let b = null;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: MEDIA_FLAGS });
  try {
    // One after the other, so the demo school is seeded once; both share the data folder.
    a = await startNode(url.href, dataDir, 'node-a');
    b = await startNode(url.href, dataDir, 'node-b');
    async function as(base, login) {
      const ctx = await browser.newContext({ locale: 'de-DE', permissions: ['camera', 'microphone'] });
      const page = await ctx.newPage();
      await loginAndConsent(base, page, login);
      return page;
    }
    const teacher = await as(a.base, 'lehrer');
    const created = await teacher.evaluate(async () => {
      const r = await fetch('/api/v1/chat/rooms', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Zwei Knoten', logins: ['personal'] }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.room.id ?? created.body.room;
    const confPath = `/chat/${roomId}/konferenz`;
    await teacher.goto(`${a.base}${confPath}`);
    await teacher.locator('#conf-start').click();
    await teacher.locator('#conf-room').waitFor({ state: 'visible' });

    const colleague = await as(b.base, 'personal');
    await colleague.goto(`${b.base}${confPath}`);
    await colleague.locator('#conf-join').click();
    await colleague.locator('#conf-room').waitFor({ state: 'visible' });
    assert.equal(await joinedNode(colleague), 'node-a', 'the media runs on the host node');

    await camGrows(colleague, 'B\'s page receives the teacher through A\'s SFU');
    await camGrows(teacher, 'the teacher receives B\'s page');

    // A dies without a word; B, where her socket is, takes the media over once A's lease
    // ran out, and her page publishes and subscribes again there.
    await kill(a, 'SIGKILL');
    await teacher.context().close();
    const deadline = Date.now() + 10 * LEASE_SECS * 1000;
    while (Date.now() < deadline && (await mediaNode(colleague)) !== 'node-b') {
      await colleague.waitForTimeout(300);
    }
    assert.equal(await mediaNode(colleague), 'node-b', 'the media moved to the live node');

    const back = await as(b.base, 'lehrer');
    await back.goto(`${b.base}${confPath}`);
    await back.locator('#conf-join').click();
    await back.locator('#conf-room').waitFor({ state: 'visible' });
    assert.equal(await joinedNode(back), 'node-b');
    await camGrows(back, 'the teacher, back through B, receives her again');
    await camGrows(colleague, 'her page receives the teacher again after the move');
  } catch (e) {
    if (a) console.error(`node-a:\n${a.log().slice(-3000)}`);
    if (b) console.error(`node-b:\n${b.log().slice(-3000)}`);
    throw e;
  } finally {
    await browser.close();
    for (const n of [a, b]) if (n) await kill(n, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
    try {
      psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } catch {
      // Left for test.sh's sweep of stale test databases.
    }
  }
});
