// The messenger in two browsers: the teacher and a student of 5a in the demo school have
// the class room open; a message the student sends over the live socket appears in the
// teacher's page without a reload, and the chat pages (room list, room, search) are axe
// clean.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkA11y, loginAndConsent, shot, startPlatform } from './harness.mjs';

test('teacher and student of 5a exchange a message live', async () => {
  const p = await startPlatform('chat');
  try {
    async function as(login) {
      const ctx = await p.browser.newContext();
      const page = await ctx.newPage();
      await loginAndConsent(p.base, page, login);
      return page;
    }
    const teacher = await as('lehrer');
    const student = await as('schueler');
    await teacher.goto(`${p.base}/chat`);
    await checkA11y(teacher, 'chat room list');
    await teacher.getByRole('link', { name: '5a', exact: true }).click();
    const roomUrl = teacher.url();
    assert.match(roomUrl, /\/chat\/[0-9a-f-]{36}$/);
    await student.goto(roomUrl);
    // Both pages are live before anyone writes.
    for (const page of [teacher, student]) {
      await page.locator('#chat-status').waitFor({ state: 'attached' });
      await page.waitForFunction(() => {
        const s = document.getElementById('chat-status');
        return s && !s.hidden && s.textContent === s.dataset.live;
      }, null, { timeout: 15_000 });
    }
    await checkA11y(student, 'chat room (student)');
    await checkA11y(teacher, 'chat room (teacher, with moderation)');
    const text = `Live-Nachricht ${Date.now()}`;
    await student.getByLabel('Nachricht', { exact: true }).fill(text);
    await student.getByRole('button', { name: 'Senden', exact: true }).click();
    // No reload: the teacher's log gets it through the socket.
    await teacher.locator('#chat-log li', { hasText: text }).waitFor({ timeout: 15_000 });
    assert.equal(teacher.url(), roomUrl);
    await student.locator('#chat-log li', { hasText: text }).waitFor({ timeout: 15_000 });
    // And back.
    const answer = `Antwort ${Date.now()}`;
    await teacher.getByLabel('Nachricht', { exact: true }).fill(answer);
    await teacher.getByRole('button', { name: 'Senden', exact: true }).click();
    await student.locator('#chat-log li', { hasText: answer }).waitFor({ timeout: 15_000 });
    await shot(teacher, 'chat-room-teacher');
    await teacher.goto(`${p.base}/chat/suche?q=Live-Nachricht`);
    await teacher.locator('.chat-hits li', { hasText: text }).waitFor();
    await checkA11y(teacher, 'chat search');
  } finally {
    await p.stop();
  }
});
