// The webmail's compose form: suggestions of people and groups while typing an address, and
// the draft saved by itself a few seconds after each change. Without this script the form
// works the same; the button saves the draft.
(function () {
  'use strict';
  var form = document.querySelector('[data-mail-compose]');
  if (!form || !window.fetch || !window.FormData) return;
  var list = document.getElementById('mail-addresses');
  var status = form.querySelector('[data-mail-status]');
  var draft = form.querySelector('[data-mail-draft]');
  var source = form.querySelector('[data-mail-source]');

  // ---- Address suggestions: the part after the last comma is looked up. ----
  var lookup = null;
  function suggest(input) {
    var text = input.value;
    var cut = Math.max(text.lastIndexOf(','), text.lastIndexOf(';'));
    var before = cut >= 0 ? text.slice(0, cut + 1) + ' ' : '';
    var term = text.slice(cut + 1).trim();
    if (term.length < 2 || !list) return;
    var url = input.getAttribute('data-mail-suggest') + '?q=' + encodeURIComponent(term);
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) {
        list.textContent = '';
        found.forEach(function (s) {
          var o = document.createElement('option');
          o.value = before + s.value;
          o.label = s.label;
          list.appendChild(o);
        });
      })
      .catch(function () { /* no suggestions then */ });
  }
  Array.prototype.forEach.call(form.querySelectorAll('[data-mail-suggest]'), function (input) {
    input.addEventListener('input', function () {
      clearTimeout(lookup);
      lookup = setTimeout(function () { suggest(input); }, 200);
    });
  });

  // ---- Drafts saved by themselves. ----
  var DELAY = 4000;
  var timer = null;
  var dirty = false;
  var saving = null;

  function two(n) { return (n < 10 ? '0' : '') + n; }
  function say(text) { if (status) status.textContent = text; }

  // The saved draft holds the attachments that were ticked, in order; the list shows them
  // as the new draft's, all ticked.
  function showKept(names) {
    var kept = form.querySelector('[data-mail-kept]');
    if (!kept) return;
    var keep = kept.getAttribute('data-keep') || '';
    kept.textContent = '';
    names.forEach(function (name, i) {
      var li = document.createElement('li');
      li.className = 'field-check';
      var box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'behalten';
      box.value = String(i);
      box.id = 'keep-' + i;
      box.checked = true;
      var l = document.createElement('label');
      l.htmlFor = box.id;
      l.textContent = name + (keep ? ' – ' + keep : '');
      li.appendChild(box);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(l);
      kept.appendChild(li);
    });
  }

  function save() {
    timer = null;
    if (!dirty || saving) return saving;
    dirty = false;
    var body = new FormData(form);
    body.delete('dateien');
    body.set('aktion', 'auto');
    // Chosen files of the file areas go into the draft: from then on it keeps them.
    var sentFiles = body.getAll('datei');
    saving = fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error(res.j.fehler || 'failed');
        draft.value = res.j.entwurf;
        source.value = res.j.entwurf;
        showKept(res.j.anhaenge || []);
        if (picked) {
          Array.prototype.forEach.call(picked.querySelectorAll('input[name="datei"]'), function (b) {
            if (sentFiles.indexOf(b.value) >= 0 && b.checked) picked.removeChild(b.parentNode);
          });
        }
        var d = new Date();
        say(form.getAttribute('data-saved').replace('{time}', two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds())));
      })
      .catch(function () {
        dirty = true;
        say(form.getAttribute('data-save-failed'));
      })
      .then(function () { saving = null; });
    return saving;
  }

  function changed(e) {
    if (e.target && e.target.type === 'file') return;
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);

  // ---- Files of the own file areas, chosen in a dialog (without it: the picker page). ----
  var pick = form.querySelector('[data-mail-pick]');
  var dialog = document.getElementById('mail-pick');
  var picked = form.querySelector('[data-mail-picked]');
  var pickBody = dialog && dialog.querySelector('[data-mail-pick-body]');
  function loadPicker(url) {
    return fetch(url, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('failed'); return r.text(); })
      .then(function (html) {
        var part = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-mail-picker]');
        if (!part) throw new Error('no picker');
        var h1 = part.querySelector('h1');
        if (h1) h1.parentNode.removeChild(h1); // the dialog has the same heading
        pickBody.textContent = '';
        pickBody.appendChild(document.importNode(part, true));
        var first = pickBody.querySelector('input[type=checkbox], a[data-mail-pick-nav]');
        if (first) first.focus();
      });
  }
  function addPicked(box) {
    var exists = Array.prototype.some.call(picked.querySelectorAll('input[name="datei"]'),
      function (b) { return b.value === box.value; });
    if (exists) return;
    var li = document.createElement('li');
    li.className = 'field-check';
    var b = document.createElement('input');
    b.type = 'checkbox';
    b.name = 'datei';
    b.value = box.value;
    b.id = 'datei-' + box.value;
    b.checked = true;
    var l = document.createElement('label');
    l.htmlFor = b.id;
    l.textContent = box.getAttribute('data-name') + ' (' + box.getAttribute('data-size') + ') – ' + (pick.getAttribute('data-from-files') || '');
    li.appendChild(b);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(l);
    picked.appendChild(li);
  }
  if (pick && picked && pickBody && dialog.showModal && window.DOMParser) {
    pick.addEventListener('click', function (e) {
      e.preventDefault();
      dialog.showModal();
      loadPicker('/mail/neu/dateien').catch(function () {
        // Without the list, the page without script does it.
        dialog.close();
        window.location.assign('/mail/neu/dateien');
      });
    });
    pickBody.addEventListener('click', function (e) {
      var nav = e.target.closest && e.target.closest('[data-mail-pick-nav]');
      if (nav) {
        e.preventDefault();
        loadPicker(nav.getAttribute('href')).catch(function () { say(form.getAttribute('data-save-failed')); });
        return;
      }
      if (e.target.closest && e.target.closest('[data-mail-pick-cancel]')) {
        e.preventDefault();
        dialog.close();
      }
    });
    pickBody.addEventListener('submit', function (e) {
      e.preventDefault();
      var boxes = pickBody.querySelectorAll('input[name="datei"]:checked');
      Array.prototype.forEach.call(boxes, addPicked);
      dialog.close();
      pick.focus();
      if (boxes.length) changed({ target: picked });
    });
  }

  // Sending while a save is under way waits for it, so the form names the newest draft.
  form.addEventListener('submit', function (e) {
    clearTimeout(timer);
    if (!saving) return;
    e.preventDefault();
    var button = e.submitter;
    saving.then(function () {
      saving = null;
      dirty = false;
      if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit();
    });
  });
})();

// The folder page's bulk form: a "select all" box in the table head (without this script a
// link ticks every message of the page), the number chosen, and a question before messages
// are deleted for good from the trash.
(function () {
  'use strict';
  var form = document.querySelector('[data-mail-bulk]');
  if (!form) return;
  var all = form.querySelector('[data-mail-all]');
  var link = form.querySelector('[data-mail-all-link]');
  var count = form.querySelector('[data-mail-count]');
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="id"]'));
  function chosen() { return boxes.filter(function (b) { return b.checked; }).length; }
  function update() {
    var n = chosen();
    if (count) count.textContent = n ? (count.getAttribute('data-text') || '{n}').replace('{n}', String(n)) : '';
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }
  if (all) {
    all.hidden = false;
    if (link) link.hidden = true;
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', update); });
  form.addEventListener('submit', function (e) {
    var button = e.submitter;
    if (!chosen()) {
      e.preventDefault();
      if (count) count.textContent = form.getAttribute('data-none');
      return;
    }
    var question = form.getAttribute('data-confirm');
    if (question && button && button.hasAttribute('data-mail-delete') && !window.confirm(question)) {
      e.preventDefault();
    }
  });
  update();
})();
