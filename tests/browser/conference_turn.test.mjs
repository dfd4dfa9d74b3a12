// A conference through a TURN server: Debian's coturn on a random loopback port with a
// static long-term-credential user, announced by the server to the browsers as iceServers.
// One page may use relay candidates only (iceTransportPolicy 'relay'); it joins the
// teacher's conference and decodes the teacher's camera, and the teacher decodes its
// camera, both through the relay and the SFU. A second test drops the SFU's UDP candidates
// from every answer a page receives: the page falls back to ICE over TCP.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { chromium } from 'playwright-core';

import { freePort, loginAndConsent, startPlatform } from './harness.mjs';
import { MEDIA_FLAGS, camGrows } from './media.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const TURN_USER = 'schulhof';
const TURN_PASS = 'relay-geheim';

/** Starts coturn on loopback; resolves once it listens. */
async function startTurn() {
  const dir = await mkdtemp(path.join(tmpdir(), 'schulhof-turn-'));
  const port = await freePort();
  const minPort = 40000 + Math.floor(Math.random() * 20000);
  const args = [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--lt-cred-mech', `--user=${TURN_USER}:${TURN_PASS}`, '--realm=schulhof.test',
    // The SFU runs on loopback too; coturn refuses loopback peers unless told.
    '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli',
    `--min-port=${minPort}`, `--max-port=${minPort + 200}`,
    '--log-file=stdout', '--simple-log', `--userdb=${path.join(dir, 'turndb')}`,
    `--pidfile=${path.join(dir, 'pid')}`,
  ];
  const proc = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 10_000;
  while (!log.includes('Total General servers') && Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`turnserver exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  async function stop() {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
  return { url: `turn:127.0.0.1:${port}?transport=udp`, log: () => log, stop };
}

/** The local candidate types of the page's selected candidate pairs. */
async function selectedLocalTypes(page) {
  return page.evaluate(async () => {
    const c = window.schulhofConference;
    const pcs = [...Object.values(c.subs).map((s) => s.pc)];
    if (c.pub) pcs.push(c.pub);
    const types = [];
    for (const pc of pcs) {
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type !== 'transport' || !r.selectedCandidatePairId) return;
        const pair = stats.get(r.selectedCandidatePairId);
        const local = pair && stats.get(pair.localCandidateId);
        if (local) types.push(`${local.candidateType}/${local.protocol}`);
      });
    }
    return types;
  });
}

test('a relay-only page joins a conference through coturn', async () => {
  const turn = await startTurn();
  // The server hands the TURN server to browsers unchanged (iceServers of conf_state).
  process.env.SCHULHOF_TURN_URLS = turn.url;
  process.env.SCHULHOF_TURN_USERNAME = TURN_USER;
  process.env.SCHULHOF_TURN_CREDENTIAL = TURN_PASS;
  process.env.SCHULHOF_SFU_BIND = '127.0.0.1:0';
  const p = await startPlatform('conference-turn');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: MEDIA_FLAGS });
  try {
    async function as(login, relayOnly) {
      const ctx = await browser.newContext({ locale: 'de-DE', permissions: ['camera', 'microphone'] });
      if (relayOnly) {
        // Whatever the page asks for, this browser may only use relay candidates.
        await ctx.addInitScript(() => {
          const Native = window.RTCPeerConnection;
          window.RTCPeerConnection = function (cfg) {
            return new Native({ ...(cfg || {}), iceTransportPolicy: 'relay' });
          };
          window.RTCPeerConnection.prototype = Native.prototype;
        });
      }
      const page = await ctx.newPage();
      await loginAndConsent(p.base, page, login);
      return page;
    }
    const teacher = await as('lehrer', false);
    const created = await teacher.evaluate(async () => {
      const r = await fetch('/api/v1/chat/rooms', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Relaytest', logins: ['personal'] }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.room.id ?? created.body.room;
    const url = `${p.base}/chat/${roomId}/konferenz`;
    await teacher.goto(url);
    await teacher.locator('#conf-start').click();
    await teacher.locator('#conf-room').waitFor({ state: 'visible' });

    const relayed = await as('personal', true);
    await relayed.goto(url);
    await relayed.locator('#conf-join').click();
    await relayed.locator('#conf-room').waitFor({ state: 'visible' });

    await camGrows(relayed, 'relay-only page receives the teacher');
    await camGrows(teacher, 'teacher receives the relay-only page');
    const types = await selectedLocalTypes(relayed);
    assert.ok(types.length > 0, 'no selected candidate pair');
    assert.ok(types.every((t) => t.startsWith('relay/')), `relay-only page used ${JSON.stringify(types)}`);
  } catch (e) {
    console.error(p.serverLog().slice(-3000));
    console.error(turn.log().slice(-3000));
    throw e;
  } finally {
    await browser.close();
    await p.stop();
    await turn.stop();
    for (const k of ['SCHULHOF_TURN_URLS', 'SCHULHOF_TURN_USERNAME', 'SCHULHOF_TURN_CREDENTIAL', 'SCHULHOF_SFU_BIND']) {
      delete process.env[k];
    }
  }
});

test('a page without UDP to the SFU falls back to ICE over TCP', async () => {
  const p = await startPlatform('conference-tcp');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: MEDIA_FLAGS });
  try {
    async function as(login, tcpOnly) {
      const ctx = await browser.newContext({ locale: 'de-DE', permissions: ['camera', 'microphone'] });
      if (tcpOnly) {
        // As if a firewall blocked UDP: the SFU's UDP candidates never reach the browser.
        await ctx.addInitScript(() => {
          const set = RTCPeerConnection.prototype.setRemoteDescription;
          RTCPeerConnection.prototype.setRemoteDescription = function (d) {
            const sdp = d.sdp.split('\r\n').filter((l) => !/^a=candidate:\S+ \d+ udp /i.test(l)).join('\r\n');
            return set.call(this, { type: d.type, sdp });
          };
        });
      }
      const page = await ctx.newPage();
      await loginAndConsent(p.base, page, login);
      return page;
    }
    const teacher = await as('lehrer', false);
    const created = await teacher.evaluate(async () => {
      const r = await fetch('/api/v1/chat/rooms', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'TCP-Test', logins: ['personal'] }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.room.id ?? created.body.room;
    const url = `${p.base}/chat/${roomId}/konferenz`;
    await teacher.goto(url);
    await teacher.locator('#conf-start').click();
    await teacher.locator('#conf-room').waitFor({ state: 'visible' });
    const tcpOnly = await as('personal', true);
    await tcpOnly.goto(url);
    await tcpOnly.locator('#conf-join').click();
    await tcpOnly.locator('#conf-room').waitFor({ state: 'visible' });

    await camGrows(tcpOnly, 'TCP-only page receives the teacher');
    await camGrows(teacher, 'teacher receives the TCP-only page');
    const types = await selectedLocalTypes(tcpOnly);
    assert.ok(types.length > 0, 'no selected candidate pair');
    assert.ok(types.every((t) => t.endsWith('/tcp')), `TCP-only page used ${JSON.stringify(types)}`);
  } catch (e) {
    console.error(p.serverLog().slice(-3000));
    throw e;
  } finally {
    await browser.close();
    await p.stop();
  }
});
