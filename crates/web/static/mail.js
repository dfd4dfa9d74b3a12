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
    var items = kept.querySelectorAll('li');
    var label = items.length ? items[0].querySelector('label') : null;
    var keep = label ? label.textContent.split('–').pop().trim() : '';
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
    saving = fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error(res.j.fehler || 'failed');
        draft.value = res.j.entwurf;
        source.value = res.j.entwurf;
        showKept(res.j.anhaenge || []);
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
