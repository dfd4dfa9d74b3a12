// The shell's small enhancements. Every page works without them: the menu is a <details>
// disclosure, the flash is the first thing in <main>, a dialog's opener is a link to a page.
(function () {
  'use strict';

  // The menu: Escape closes it and gives focus back to its button; a click outside or focus
  // leaving it closes it. On wide screens the menu is always shown and the button hidden.
  function menu(details) {
    var summary = details.querySelector('summary');
    if (!summary) return;
    var folded = function () { return getComputedStyle(summary).display !== 'none'; };
    var sync = function () { summary.setAttribute('aria-expanded', details.open ? 'true' : 'false'); };
    var close = function (focus) {
      if (!details.open) return;
      details.open = false;
      sync();
      if (focus) summary.focus();
    };
    summary.setAttribute('aria-controls', details.querySelector('.menu-panel').id);
    sync();
    details.addEventListener('toggle', sync);
    details.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && details.open && folded()) {
        e.preventDefault();
        close(true);
      }
    });
    document.addEventListener('click', function (e) {
      if (folded() && !details.contains(e.target)) close(false);
    });
    details.addEventListener('focusout', function (e) {
      if (folded() && e.relatedTarget && !details.contains(e.relatedTarget)) close(false);
    });
  }

  // The flash after an action: focus it, so screen readers read it and the eye finds it.
  // A form sent back with errors: focus its first wrong field (the error is beside it).
  function flash() {
    var f = document.querySelector('main .flash');
    if (f) {
      f.setAttribute('tabindex', '-1');
      f.focus({ preventScroll: false });
      return;
    }
    var bad = document.querySelector('main form [aria-invalid="true"]');
    if (bad) bad.focus();
  }

  // Dialogs: a link `data-dialog="id"` opens <dialog id> in place instead of its fallback page.
  function dialogs() {
    document.addEventListener('click', function (e) {
      var opener = e.target.closest && e.target.closest('[data-dialog]');
      if (!opener) return;
      var d = document.getElementById(opener.getAttribute('data-dialog'));
      if (!d || typeof d.showModal !== 'function') return;
      e.preventDefault();
      d.showModal();
      // The first field of the content, not the close button in the head.
      var first = d.querySelector('[autofocus]') ||
        d.querySelector('.dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button');
      if (first) first.focus();
    });
    document.addEventListener('click', function (e) {
      var closer = e.target.closest && e.target.closest('[data-dialog-close]');
      if (!closer) return;
      var d = closer.closest('dialog');
      if (d) {
        e.preventDefault();
        d.close();
      }
    });
  }

  // Copy buttons: `data-copy="id"` copies the value (or text) of that element; the button
  // stays hidden without JavaScript or a clipboard. `data-copy-status="id"` names the
  // aria-live region that announces `data-copied`.
  function copyButtons() {
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== 'function') return;
    document.querySelectorAll('button[data-copy]').forEach(function (b) {
      var source = document.getElementById(b.getAttribute('data-copy'));
      if (!source) return;
      var status = document.getElementById(b.getAttribute('data-copy-status') || '');
      b.hidden = false;
      b.addEventListener('click', function () {
        var text = 'value' in source ? source.value : source.textContent;
        navigator.clipboard.writeText(text.trim()).then(function () {
          if (!status) return;
          // Emptied first, so a second copy is announced again.
          status.textContent = '';
          setTimeout(function () { status.textContent = b.getAttribute('data-copied') || ''; }, 50);
        }, function () {
          // Refused (no permission): select it, so the keyboard can copy it.
          if (source.select) source.select();
        });
      });
    });
  }

  function start() {
    document.querySelectorAll('details.menu').forEach(menu);
    flash();
    dialogs();
    copyButtons();
    document.documentElement.classList.add('js');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
