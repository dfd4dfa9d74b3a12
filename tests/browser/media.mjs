// What the conference tests share: Chromium's fake camera and microphone, and the check that
// a page decodes other participants' cameras, growing.

import assert from 'node:assert/strict';

/** Fake camera/microphone, no permission prompts, host candidates on 127.0.0.1. */
export const MEDIA_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
];

/** Decoded camera frames of every subscription of the page: { user: frames }. */
export async function camFrames(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const [user, s] of Object.entries(window.schulhofConference.subs)) {
      const stats = await s.pc.getStats();
      const id = s.ts[1].receiver.track.id;
      out[user] = 0;
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.trackIdentifier === id) {
          out[user] = r.framesDecoded ?? 0;
        }
      });
    }
    return out;
  });
}

/** Waits until a subscription decodes camera frames, then checks that they keep growing. */
export async function camGrows(page, label) {
  const deadline = Date.now() + 40_000;
  let a = {};
  while (Date.now() < deadline) {
    a = await camFrames(page);
    if (Object.values(a).some((v) => v > 0)) break;
    await page.waitForTimeout(300);
  }
  assert.ok(Object.values(a).some((v) => v > 0), `${label}: no camera frames, ${JSON.stringify(a)}`);
  await page.waitForTimeout(2000);
  const b = await camFrames(page);
  for (const [user, v] of Object.entries(a)) {
    if (v > 0) assert.ok(b[user] > v, `${label}: camera of ${user} stalled ${v} → ${b[user]}`);
  }
}
