// The built-in video conference end to end: three Chromium pages (teacher, staff, student)
// in one room receive each other's camera through the server's SFU (framesDecoded grows
// between two getStats() samples), the teacher's screen share reaches the others, and a
// student whose video consent is withdrawn cannot turn the camera on: the button is off
// and, when the page is forced to send a camera anyway, the server forwards nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chromium } from 'playwright-core';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// Fake camera/microphone/screen, no permission prompts, host candidates on 127.0.0.1.
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  '--auto-select-desktop-capture-source=Entire screen',
];

/** Decoded video frames per subscribed participant: { user: { cam, scr } }. */
async function decoded(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const [user, s] of Object.entries(window.schulhofConference.subs)) {
      const stats = await s.pc.getStats();
      const ids = [s.ts[1].receiver.track.id, s.ts[2].receiver.track.id];
      const v = { cam: 0, scr: 0 };
      stats.forEach((r) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
        if (r.trackIdentifier === ids[0]) v.cam = r.framesDecoded ?? 0;
        if (r.trackIdentifier === ids[1]) v.scr = r.framesDecoded ?? 0;
      });
      out[user] = v;
    }
    return out;
  });
}

/** Waits until `count` subscriptions decode `key` frames, then checks that they keep growing. */
async function framesGrow(page, count, key, label) {
  const deadline = Date.now() + 30_000;
  let a = {};
  while (Date.now() < deadline) {
    a = await decoded(page);
    const live = Object.values(a).filter((v) => v[key] > 0);
    if (live.length >= count) break;
    await page.waitForTimeout(300);
  }
  assert.ok(Object.values(a).filter((v) => v[key] > 0).length >= count,
    `${label}: ${key} frames from ${count} participants, got ${JSON.stringify(a)}`);
  await page.waitForTimeout(2000);
  const b = await decoded(page);
  for (const [user, v] of Object.entries(a)) {
    if (v[key] > 0) assert.ok(b[user][key] > v[key], `${label}: ${key} of ${user} stalled ${v[key]} → ${b[user][key]}`);
  }
}

async function setConsent(page, login, audio, video) {
  const status = await page.evaluate(async ([l, a, v]) => {
    const r = await fetch(`/api/v1/admin/users/${l}/av-consent`, {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audio: a, video: v }),
    });
    return r.status;
  }, [login, audio, video]);
  assert.equal(status, 200, `consent of ${login}`);
}

test('three pages in a conference: video, screen sharing and the consent gate', async () => {
  const p = await startPlatform('conference');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    async function as(login) {
      const ctx = await browser.newContext({ locale: 'de-DE', permissions: ['camera', 'microphone'] });
      const page = await ctx.newPage();
      await loginAndConsent(p.base, page, login);
      return page;
    }
    const admin = await as('admin');
    await setConsent(admin, 'schueler', true, true);
    // A student may not change consent records.
    const teacher = await as('lehrer');
    const created = await teacher.evaluate(async () => {
      const r = await fetch('/api/v1/chat/rooms', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Videotest', logins: ['personal', 'schueler'] }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.room.id ?? created.body.room;
    const url = `${p.base}/chat/${roomId}/konferenz`;

    await teacher.goto(`${p.base}/chat/${roomId}`);
    await teacher.locator('#conf-open').click();
    await teacher.waitForURL(url);
    await checkA11y(teacher, 'conference page');
    await teacher.locator('#conf-start').click();
    await teacher.locator('#conf-room').waitFor({ state: 'visible' });

    const staff = await as('personal');
    const student = await as('schueler');
    for (const page of [staff, student]) {
      await page.goto(url);
      await page.locator('#conf-join').click();
      await page.locator('#conf-room').waitFor({ state: 'visible' });
    }
    const refused = await student.evaluate(async () => (await fetch('/api/v1/admin/users/lehrer/av-consent', {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"audio":true,"video":true}',
    })).status);
    assert.ok(refused === 403 || refused === 404, `student changing consent: ${refused}`);

    for (const [page, name] of [[teacher, 'teacher'], [staff, 'staff'], [student, 'student']]) {
      await framesGrow(page, 2, 'cam', name);
    }
    await shot(teacher, 'conference-teacher');

    // Screen sharing: the teacher shares, the others decode the screen track.
    await teacher.locator('#conf-screen').click();
    await teacher.waitForFunction(() =>
      document.getElementById('conf-screen').getAttribute('aria-pressed') === 'true');
    await framesGrow(staff, 1, 'scr', 'staff sees the screen');
    await framesGrow(student, 1, 'scr', 'student sees the screen');

    // Video consent withdrawn: after rejoining the camera button is off, the teacher sees
    // the neutral marker, and a camera forced onto the connection never reaches the others.
    await setConsent(admin, 'schueler', true, false);
    await student.goto(url);
    await student.locator('#conf-join').click();
    await student.locator('#conf-room').waitFor({ state: 'visible' });
    assert.ok(await student.locator('#conf-cam').isDisabled(), 'camera button is off');
    const studentId = await student.evaluate(() => window.schulhofConference.me);
    await teacher.getByText('ohne Kamera/Mikrofon').waitFor();
    await student.evaluate(async () => {
      const s = await navigator.mediaDevices.getUserMedia({ video: true });
      await window.schulhofConference.tx[1].sender.replaceTrack(s.getVideoTracks()[0]);
    });
    await teacher.waitForFunction((id) => !!window.schulhofConference.subs[id], studentId);
    // The teacher still receives the staff member's camera, never the student's.
    await framesGrow(teacher, 1, 'cam', 'teacher after rejoin');
    await teacher.waitForTimeout(2000);
    const after = await decoded(teacher);
    assert.equal(after[studentId]?.cam ?? 0, 0, `student's camera forwarded: ${JSON.stringify(after)}`);
    await shot(teacher, 'conference-consent');
  } catch (e) {
    console.error(p.serverLog().slice(-4000));
    throw e;
  } finally {
    await browser.close();
    await p.stop();
  }
});
