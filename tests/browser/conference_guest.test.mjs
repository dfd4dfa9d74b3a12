// A guest invited by link joins the built-in conference: the teacher creates a guest link
// on the conference page and starts the conference; in a second browser context (no
// login) the guest gives a name and waits ("waiting for the moderator", aria-live); the
// teacher admits the guest from the waiting room without leaving the conference; the
// guest's page joins by itself and each side decodes the other's camera. Axe clean on
// the guest page (waiting and joined) and the teacher's page with the waiting room.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chromium } from 'playwright-core';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';
import { MEDIA_FLAGS, camGrows } from './media.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

test('a guest waits, is admitted by the teacher and joins the conference', async () => {
  const p = await startPlatform('conference-guest');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: MEDIA_FLAGS });
  try {
    const tctx = await browser.newContext({ locale: 'de-DE', permissions: ['camera', 'microphone'] });
    const teacher = await tctx.newPage();
    await loginAndConsent(p.base, teacher, 'lehrer');
    const created = await teacher.evaluate(async () => {
      const r = await fetch('/api/v1/chat/rooms', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Elternabend', logins: ['personal'] }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = created.body.room.id ?? created.body.room;
    const confUrl = `${p.base}/chat/${roomId}/konferenz`;

    // The teacher creates a guest link (shown once) and starts the conference.
    await teacher.goto(confUrl);
    await teacher.locator('#guest-valid').selectOption('3');
    await teacher.locator('#guest-link-create').click();
    const link = await teacher.locator('#guest-link-url').inputValue();
    assert.match(link, /\/konferenz\/gast\/[A-Za-z0-9_-]{40,}$/);
    await checkA11y(teacher, 'guest link created');
    await teacher.goto(confUrl);
    await teacher.locator('#conf-start').click();
    await teacher.locator('#conf-room').waitFor({ state: 'visible' });

    // The guest, in a context of their own without a login.
    const gctx = await browser.newContext({ locale: 'de-DE', permissions: ['camera', 'microphone'] });
    const guest = await gctx.newPage();
    await guest.goto(link);
    await checkA11y(guest, 'guest name form');
    await guest.locator('#guest-name').fill('Frau Meier');
    await guest.getByRole('button', { name: 'Warteraum betreten' }).click();
    const status = guest.locator('#conf-status');
    await status.filter({ hasText: 'Warten auf die Moderation' }).waitFor();
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    await checkA11y(guest, 'guest waiting');

    // The teacher sees her in the waiting room (without reloading) and admits her.
    const admit = teacher.getByRole('button', { name: 'Einlassen: Frau Meier' });
    await admit.waitFor({ timeout: 15_000 });
    await checkA11y(teacher, 'conference page with a waiting guest');
    await admit.click();
    await guest.locator('#conf-room').waitFor({ state: 'visible', timeout: 20_000 });
    await teacher.locator('#conf-people').getByText('Frau Meier').waitFor();
    assert.ok(await teacher.locator('#conf-people').getByText('Gast').count() > 0, 'marked as guest');
    await camGrows(guest, 'guest receives the teacher');
    await camGrows(teacher, 'teacher receives the guest');
    // The guest may not share a screen; pinning the teacher is the guest's own choice.
    assert.ok(await guest.locator('#conf-screen').isDisabled(), 'no screen for guests');
    await guest.getByRole('button', { name: /^Anheften: / }).first().click();
    await checkA11y(guest, 'guest in the conference');
    await shot(guest, 'conference-guest');

    // The teacher removes her: the guest's page says so and does not come back.
    await teacher.getByRole('button', { name: 'Entfernen: Frau Meier' }).click();
    await status.filter({ hasText: 'Die Moderation hat die Teilnahme beendet' }).waitFor({ timeout: 15_000 });
  } catch (e) {
    console.error(p.serverLog().slice(-4000));
    throw e;
  } finally {
    await browser.close();
    await p.stop();
  }
});
