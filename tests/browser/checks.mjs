// Checks the newer browser tests run on every page besides axe: nothing scrolls sideways,
// exactly one main landmark, every visible form field has a name a screen reader reads.

import assert from 'node:assert/strict';

import { checkA11y, shot } from './harness.mjs';

/** The two screens every page is tried at. */
export const WIDTHS = [
  { name: '1280', viewport: { width: 1280, height: 800 } },
  { name: '360', viewport: { width: 360, height: 640 } },
];

export async function noSidewaysScroll(page, what) {
  const { wide, view } = await page.evaluate(() => ({
    wide: document.documentElement.scrollWidth,
    view: window.innerWidth,
  }));
  assert.ok(wide <= view, `${what}: the page is ${wide} px wide at ${view} px`);
}

export async function oneMain(page, what) {
  const mains = await page.locator('main, [role="main"]').count();
  assert.equal(mains, 1, `${what}: ${mains} main landmarks`);
}

/** Every visible input, select and textarea has a label, aria-label(ledby) or title. */
export async function labelledFields(page, what) {
  const unnamed = await page.evaluate(() => {
    const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
    return [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => !skip.has(el.type) && el.getClientRects().length > 0)
      .filter((el) => {
        const labelled = el.getAttribute('aria-labelledby');
        const byIds = labelled && labelled.split(/\s+/).some((id) => {
          const t = document.getElementById(id);
          return t && t.textContent.trim() !== '';
        });
        const byLabel = [...(el.labels ?? [])].some((l) => l.textContent.trim() !== '');
        return !(byLabel || byIds || el.getAttribute('aria-label')?.trim() || el.title?.trim());
      })
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 80));
  });
  assert.deepEqual(unnamed, [], `${what}: form fields without a name`);
}

/** All of the above and axe; `name` also names the screenshot. */
export async function checkPage(page, name) {
  await oneMain(page, name);
  await labelledFields(page, name);
  await noSidewaysScroll(page, name);
  await checkA11y(page, name);
  await shot(page, name.replace(/[^A-Za-z0-9-]+/g, '-'));
}
