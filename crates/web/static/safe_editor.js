// The Safe's online editor: a toolbar over an editable region that saves by itself a few
// seconds after the last change and when it loses the focus. Without this script the page
// offers a plain text form instead; the server sanitises whatever arrives either way.
(function () {
  'use strict';
  var box = document.querySelector('[data-editor]');
  if (!box || !window.fetch || !window.URLSearchParams || !document.execCommand) return;
  var area = box.querySelector('[contenteditable]');
  var status = box.querySelector('[data-status]');
  var toolbar = box.querySelector('[role="toolbar"]');
  if (!area || !status || !toolbar) return;
  var buttons = Array.prototype.slice.call(toolbar.querySelectorAll('button[data-cmd]'));
  var DELAY = 2000;
  var timer = null;
  var dirty = false;
  var saving = false;
  var again = false;
  var lastRange = null;

  box.hidden = false;
  try {
    // Enter starts a paragraph, not a div.
    document.execCommand('defaultParagraphSeparator', false, 'p');
  } catch (e) {
    // Older engines keep their default.
  }

  function say(text) {
    status.textContent = text;
  }

  function two(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function clock() {
    var d = new Date();
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
  }

  function save(leaving) {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (!dirty) return;
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    var body = new URLSearchParams();
    body.set('inhalt', area.innerHTML);
    body.set('js', '1');
    say(box.getAttribute('data-saving'));
    fetch(box.getAttribute('data-save'), {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { Accept: 'text/plain' },
      keepalive: !!leaving,
      // A redirect means the session ended (to the login page): never a success.
      redirect: 'manual',
    }).then(function (res) {
      if (res.status === 204) {
        say(box.getAttribute('data-saved').replace('{time}', clock()));
        return null;
      }
      dirty = true;
      if (res.type === 'opaqueredirect' || res.status === 0) {
        say(box.getAttribute('data-gone'));
        return null;
      }
      return res.text().then(function (text) {
        say(box.getAttribute('data-failed').replace('{reason}', text.trim()));
      });
    }, function () {
      dirty = true;
      say(box.getAttribute('data-offline'));
    }).then(function () {
      saving = false;
      if (again) {
        again = false;
        save(false);
      }
    });
  }

  function changed() {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, DELAY);
  }

  area.addEventListener('input', changed);
  area.addEventListener('blur', function () { save(false); });
  window.addEventListener('pagehide', function () { save(true); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') save(true);
  });

  // The toolbar acts on the selection in the text, which a click elsewhere would lose.
  function inArea(node) {
    return node && (node === area || area.contains(node));
  }

  function remember() {
    var sel = window.getSelection();
    if (sel && sel.rangeCount > 0 && inArea(sel.anchorNode)) {
      lastRange = sel.getRangeAt(0).cloneRange();
    }
  }

  function restore() {
    area.focus();
    if (!lastRange) return;
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(lastRange);
  }

  function inHeading() {
    var block = String(document.queryCommandValue('formatBlock') || '').toLowerCase();
    return block === 'h2' || block === '<h2>';
  }

  function pressed(cmd) {
    if (cmd === 'heading') return inHeading();
    try {
      return document.queryCommandState(cmd);
    } catch (e) {
      return false;
    }
  }

  function update() {
    buttons.forEach(function (b) {
      b.setAttribute('aria-pressed', pressed(b.getAttribute('data-cmd')) ? 'true' : 'false');
    });
  }

  document.addEventListener('selectionchange', function () {
    var sel = window.getSelection();
    if (sel && inArea(sel.anchorNode)) {
      remember();
      update();
    }
  });

  function run(cmd) {
    restore();
    if (cmd === 'heading') {
      document.execCommand('formatBlock', false, inHeading() ? 'p' : 'h2');
    } else {
      document.execCommand(cmd, false, null);
    }
    remember();
    update();
    changed();
  }

  buttons.forEach(function (b, i) {
    // Keep the focus (and the selection) in the text when clicking.
    b.addEventListener('mousedown', function (e) { e.preventDefault(); });
    b.addEventListener('click', function () { run(b.getAttribute('data-cmd')); });
    b.tabIndex = i === 0 ? 0 : -1;
  });

  // One tab stop for the toolbar; arrow keys, Home and End move within it.
  toolbar.addEventListener('keydown', function (e) {
    var at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    var to = at;
    if (e.key === 'ArrowRight') to = (at + 1) % buttons.length;
    else if (e.key === 'ArrowLeft') to = (at - 1 + buttons.length) % buttons.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = buttons.length - 1;
    else return;
    e.preventDefault();
    buttons[at].tabIndex = -1;
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  });
})();
