// The file manager's list, enhanced: instant filter, select all, drag and drop to move,
// rename in place, a details panel beside the list, copying a link's address. Without this
// script every action is a plain form or link and the server answers the same.
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser || !window.FormData) return;

  var form = document.querySelector('form[data-fm]');
  var rows = form ? Array.prototype.slice.call(form.querySelectorAll('tbody tr[data-id]')) : [];
  var count = document.querySelector('[data-fm-count]');
  var selected = form && form.querySelector('[data-fm-selected]');
  var all = form && form.querySelector('[data-fm-all]');

  function nameOf(row) {
    var a = row.querySelector('.entry-name a');
    return a ? a.textContent : '';
  }

  function fold(s) {
    return (s || '').normalize('NFC').toLowerCase();
  }

  function boxOf(row) {
    return row.querySelector('input[type="checkbox"][name="id"]');
  }

  function visible(row) {
    return !row.hidden;
  }

  function checked() {
    return rows.filter(function (r) { return visible(r) && boxOf(r).checked; });
  }

  function say(el, text) {
    if (el) el.textContent = text;
  }

  function updateSelection() {
    if (!form) return;
    var n = checked().length;
    say(selected, n ? (selected.getAttribute('data-text') || '{n}').replace('{n}', String(n)) : '');
    if (all) {
      var shown = rows.filter(visible);
      all.checked = n > 0 && n === shown.length;
      all.indeterminate = n > 0 && n < shown.length;
    }
  }

  // ---- Filter: as one types, without a reload (the search button still works). ----
  var filter = document.querySelector('[data-fm-filter]');
  // A folder of several pages is filtered by the server (the button), which sees every entry.
  if (filter && rows.length && !filter.hasAttribute('data-fm-paged')) {
    var total = rows.length;
    filter.addEventListener('input', function () {
      var q = fold(filter.value.trim());
      var n = 0;
      rows.forEach(function (row) {
        var hit = !q || fold(nameOf(row)).indexOf(q) !== -1;
        row.hidden = !hit;
        // What is hidden is never acted on by a bulk button.
        if (!hit) boxOf(row).checked = false;
        if (hit) n += 1;
      });
      if (count) {
        count.textContent = (count.getAttribute('data-text') || '{n}/{total}')
          .replace('{n}', String(n)).replace('{total}', String(total));
      }
      updateSelection();
    });
  }

  // ---- Selection. ----
  if (form) {
    if (all) {
      all.hidden = false;
      all.addEventListener('change', function () {
        rows.filter(visible).forEach(function (r) { boxOf(r).checked = all.checked; });
        updateSelection();
      });
    }
    form.addEventListener('change', function (e) {
      if (e.target && e.target.name === 'id') updateSelection();
    });
    form.addEventListener('submit', function (e) {
      var button = e.submitter;
      if (!checked().length) {
        e.preventDefault();
        toast(form.getAttribute('data-none'));
        return;
      }
      if (button && button.hasAttribute('data-fm-delete') &&
          !window.confirm(form.getAttribute('data-confirm-delete') || '?')) {
        e.preventDefault();
      }
    });
    updateSelection();
  }

  var live = document.createElement('p');
  live.className = 'visually-hidden';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  document.body.appendChild(live);

  function toast(text) {
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text || ''; }, 50);
  }

  function post(action, fields) {
    var body = new URLSearchParams();
    fields.forEach(function (kv) { body.append(kv[0], kv[1]); });
    return fetch(action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      redirect: 'follow'
    });
  }

  // ---- Drag and drop: rows onto folders move them (the checked ones, if it is one). ----
  if (form) {
    var dragged = [];
    rows.forEach(function (row) {
      if (row.hasAttribute('data-move')) {
        row.addEventListener('dragstart', function (e) {
          var box = boxOf(row);
          dragged = box.checked ? checked().filter(function (r) { return r.hasAttribute('data-move'); }) : [row];
          e.dataTransfer.effectAllowed = 'move';
          e.dataTransfer.setData('text/plain', nameOf(row));
          row.classList.add('fm-dragging');
        });
        row.addEventListener('dragend', function () {
          row.classList.remove('fm-dragging');
        });
      }
      if (row.hasAttribute('data-drop')) {
        row.addEventListener('dragover', function (e) {
          if (!dragged.length || dragged.indexOf(row) !== -1) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
          row.classList.add('fm-drop-over');
        });
        row.addEventListener('dragleave', function () {
          row.classList.remove('fm-drop-over');
        });
        row.addEventListener('drop', function (e) {
          e.preventDefault();
          row.classList.remove('fm-drop-over');
          if (!dragged.length || dragged.indexOf(row) !== -1) return;
          var fields = dragged.map(function (r) { return ['id', r.getAttribute('data-id')]; });
          fields.push(['aktion', 'verschieben'], ['ziel', row.getAttribute('data-id')]);
          dragged = [];
          post(form.getAttribute('action'), fields).then(function (res) {
            // The server sends the mover back to this folder with its message.
            if (res.ok && res.redirected) window.location.assign(res.url);
            else toast(form.getAttribute('data-failed'));
          }, function () { toast(form.getAttribute('data-failed')); });
        });
      }
    });
  }

  // ---- Rename in place; an error leads to the rename page, which says what is wrong. ----
  rows.forEach(function (row) {
    if (!row.hasAttribute('data-rename')) return;
    var name = row.querySelector('.entry-name a');
    var cell = row.querySelector('.card-actions');
    if (!name || !cell) return;
    var id = row.getAttribute('data-id');
    var action = '/dateien/' + id + '/umbenennen';
    var fallback = action + '?zurueck=' + encodeURIComponent(window.location.pathname);
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button-small button-secondary fm-rename-button';
    button.textContent = (form && form.getAttribute('data-rename-button')) || 'Rename';
    var label = button.textContent;
    button.setAttribute('aria-label', label + ': ' + nameOf(row));
    cell.appendChild(document.createTextNode(' '));
    cell.appendChild(button);
    button.addEventListener('click', function () {
      var old = nameOf(row);
      var input = document.createElement('input');
      input.type = 'text';
      input.value = old;
      input.className = 'fm-rename';
      input.setAttribute('aria-label', (form && form.getAttribute('data-rename-label')) || 'Name');
      input.setAttribute('spellcheck', 'false');
      name.hidden = true;
      name.parentNode.insertBefore(input, name.nextSibling);
      input.focus();
      var dot = old.lastIndexOf('.');
      input.setSelectionRange(0, dot > 0 && !row.hasAttribute('data-dir') ? dot : old.length);
      var done = false;
      function finish(save) {
        if (done) return;
        done = true;
        var value = input.value.trim();
        input.remove();
        name.hidden = false;
        if (!save || !value || value === old) {
          button.focus();
          return;
        }
        post(action, [['name', value], ['zurueck', window.location.pathname]]).then(function (res) {
          if (res.ok && res.redirected && res.url.indexOf('ok=renamed') !== -1) {
            name.textContent = value;
            button.setAttribute('aria-label', label + ': ' + value);
            var box = boxOf(row);
            if (box) box.setAttribute('aria-label', value);
            toast(value);
            name.focus();
          } else {
            window.location.assign(fallback);
          }
        }, function () { window.location.assign(fallback); });
      }
      input.addEventListener('keydown', function (k) {
        if (k.key === 'Enter') { k.preventDefault(); finish(true); }
        if (k.key === 'Escape') { k.preventDefault(); finish(false); }
      });
      input.addEventListener('blur', function () { finish(true); });
    });
  });

  // ---- Details beside the list: the node's page, its details part, ids made unique. ----
  var panel = document.querySelector('[data-fm-panel]');
  var panelBody = panel && panel.querySelector('[data-fm-panel-body]');
  var opener = null;
  function closePanel() {
    panel.hidden = true;
    panelBody.textContent = '';
    document.querySelector('[data-fm-layout]').classList.remove('fm-open');
    if (opener) opener.focus();
  }
  function prefixIds(root) {
    ['id', 'for', 'aria-labelledby', 'aria-describedby', 'list', 'aria-controls'].forEach(function (attr) {
      root.querySelectorAll('[' + attr + ']').forEach(function (el) {
        el.setAttribute(attr, el.getAttribute(attr).split(' ').map(function (v) {
          return v ? 'panel-' + v : v;
        }).join(' '));
      });
    });
    // The panel's headings sit below its own h2: each level one lower.
    function demote(from, to) {
      root.querySelectorAll(from).forEach(function (h) {
        var n = document.createElement(to);
        Array.prototype.slice.call(h.attributes).forEach(function (a) { n.setAttribute(a.name, a.value); });
        while (h.firstChild) n.appendChild(h.firstChild);
        h.replaceWith(n);
      });
    }
    demote('h3', 'h4');
    demote('h2', 'h3');
    // The page has the same sections as landmarks already: in the panel they are plain.
    demote('section', 'div');
    root.querySelectorAll('form[aria-labelledby], [role="region"]').forEach(function (el) {
      el.removeAttribute('aria-labelledby');
      if (el.getAttribute('role') === 'region') el.removeAttribute('role');
    });
  }
  if (panel && panelBody) {
    panel.querySelector('[data-fm-panel-close]').addEventListener('click', closePanel);
    panel.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') closePanel();
    });
    rows.forEach(function (row) {
      var link = row.querySelector('[data-fm-details]');
      if (!link) return;
      link.addEventListener('click', function (e) {
        e.preventDefault();
        opener = link;
        fetch(link.getAttribute('href'), { credentials: 'same-origin' }).then(function (res) {
          if (!res.ok) throw new Error(String(res.status));
          return res.text();
        }).then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var part = doc.querySelector('[data-fm-details-body]');
          if (!part) throw new Error('no details');
          prefixIds(part);
          panelBody.textContent = '';
          var title = document.createElement('p');
          title.className = 'fm-panel-name';
          var a = document.createElement('a');
          a.href = link.getAttribute('href');
          a.textContent = nameOf(row);
          title.appendChild(a);
          panelBody.appendChild(title);
          while (part.firstChild) panelBody.appendChild(part.firstChild);
          document.querySelector('[data-fm-layout]').classList.add('fm-open');
          panel.hidden = false;
          panel.focus();
        }).catch(function () {
          window.location.assign(link.getAttribute('href'));
        });
      });
    });
  }
}());
