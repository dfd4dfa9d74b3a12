// The Safe's online editor: a toolbar over an editable region that saves by itself a few
// seconds after the last change and when it loses the focus. Without this script the page
// offers a plain text form instead; the server sanitises whatever arrives either way.
(function () {
  'use strict';
  // Printing (or "save as PDF" in the print dialog) shows only the document: see the print
  // styles in safe_editor.css.
  var printButton = document.querySelector('[data-print]');
  if (printButton && window.print) {
    printButton.hidden = false;
    printButton.addEventListener('click', function () { window.print(); });
  }
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
        countdown.reset();
        return null;
      }
      dirty = true;
      if (res.type === 'opaqueredirect' || res.status === 0) {
        say(box.getAttribute('data-gone'));
        return null;
      }
      if (res.status === 403) {
        // The Safe locked itself: the text stays here until it is opened again.
        locked();
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
    } else if (cmd === 'table' || cmd === 'row' || cmd === 'column') {
      tableCommand(cmd);
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
  // Tables (grade lists): a new table with a header row, and rows or columns added to the
  // table the cursor is in.
  function cellAtCursor() {
    var sel = window.getSelection();
    var node = sel && sel.rangeCount > 0 ? sel.anchorNode : null;
    while (node && node !== area) {
      if (node.nodeName === 'TD' || node.nodeName === 'TH') return node;
      node = node.parentNode;
    }
    return null;
  }

  function escapeText(t) {
    return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function tableCommand(cmd) {
    var cell = cellAtCursor();
    if (cmd === 'table') {
      var button = toolbar.querySelector('[data-cmd="table"]');
      var heads = (button.getAttribute('data-cols') || '').split(';');
      var head = heads.map(function (h) { return '<th>' + escapeText(h) + '</th>'; }).join('');
      var empty = heads.map(function () { return '<td><br></td>'; }).join('');
      document.execCommand('insertHTML', false,
        '<table><thead><tr>' + head + '</tr></thead><tbody><tr>' + empty + '</tr><tr>' + empty +
        '</tr></tbody></table><p><br></p>');
      return;
    }
    if (!cell) return;
    var row = cell.parentNode;
    var table = row;
    while (table && table.nodeName !== 'TABLE') table = table.parentNode;
    if (!table) return;
    if (cmd === 'row') {
      var fresh = document.createElement('tr');
      for (var i = 0; i < row.cells.length; i++) {
        var td = document.createElement('td');
        td.appendChild(document.createElement('br'));
        fresh.appendChild(td);
      }
      var body = row.parentNode.nodeName === 'THEAD' ? (table.tBodies[0] || table) : row.parentNode;
      if (body === row.parentNode) body.insertBefore(fresh, row.nextSibling);
      else body.insertBefore(fresh, body.firstChild);
      placeCursor(fresh.cells[0]);
    } else {
      var at = cell.cellIndex;
      Array.prototype.forEach.call(table.rows, function (r) {
        var isHead = r.parentNode.nodeName === 'THEAD';
        var c = document.createElement(isHead ? 'th' : 'td');
        c.appendChild(document.createElement('br'));
        r.insertBefore(c, r.cells[at + 1] || null);
      });
    }
  }

  function placeCursor(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    range.collapse(true);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    remember();
  }

  // Row and column buttons only mean something inside a table.
  var tableButtons = buttons.filter(function (b) { return b.hasAttribute('data-needs-table'); });
  function updateTableButtons() {
    var inTable = !!cellAtCursor();
    tableButtons.forEach(function (b) { b.disabled = !inTable; });
  }
  updateTableButtons();
  document.addEventListener('selectionchange', updateTableButtons);

  // The idle lock, counted down where the writer sees it; every save starts it again.
  var countdown = (function () {
    var el = box.querySelector('[data-countdown]');
    var text = el && el.querySelector('[data-countdown-text]');
    var alert = box.querySelector('[data-countdown-alert]');
    var idle = el ? parseInt(el.getAttribute('data-idle'), 10) : 0;
    var until = Date.now() + idle * 1000;
    var warned = false;
    function tick() {
      if (!el || !idle) return;
      var left = Math.max(0, Math.round((until - Date.now()) / 1000));
      if (left === 0) {
        text.textContent = el.getAttribute('data-over');
        el.classList.add('is-over');
        if (!warned || warned === 1) {
          warned = 2;
          locked();
        }
        return;
      }
      el.classList.toggle('is-soon', left <= 60);
      var m = Math.floor(left / 60);
      text.textContent = el.getAttribute('data-text').replace('{time}', m + ':' + two(left % 60));
      if (left <= 60 && !warned) {
        warned = 1;
        if (alert) alert.textContent = el.getAttribute('data-soon');
      }
    }
    if (el && idle) setInterval(tick, 1000);
    tick();
    return {
      reset: function () {
        until = Date.now() + idle * 1000;
        warned = false;
        if (el) el.classList.remove('is-over', 'is-soon');
        tick();
      },
    };
  })();

  // Locked while writing: open it again here (the text stays in the page), then save.
  var unlockForm = box.querySelector('[data-unlock]');
  function locked() {
    if (!unlockForm || !unlockForm.hidden) return;
    unlockForm.hidden = false;
    var field = unlockForm.querySelector('input[type="password"]');
    if (field) field.focus();
  }
  if (unlockForm) {
    unlockForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var error = unlockForm.querySelector('[data-unlock-error]');
      var field = unlockForm.querySelector('input[type="password"]');
      fetch(unlockForm.getAttribute('action'), {
        method: 'POST',
        body: new URLSearchParams(new FormData(unlockForm)),
        credentials: 'same-origin',
        // Opened, the server sends us back to the editor: a redirect means success.
        redirect: 'manual',
      }).then(function (res) {
        if (res.type === 'opaqueredirect') {
          field.value = '';
          error.hidden = true;
          unlockForm.hidden = true;
          countdown.reset();
          dirty = true;
          save(false);
          area.focus();
        } else {
          error.textContent = unlockForm.getAttribute('data-wrong');
          error.hidden = false;
          field.select();
        }
      }, function () {
        error.textContent = box.getAttribute('data-offline');
        error.hidden = false;
      });
    });
  }
})();
