// Course page for editors: sections and material are dragged by a handle, or moved by
// keyboard on the same handle (Space or Enter picks up, arrow keys move, Space or Enter
// drops, Escape cancels), announced in the page's live region. Material also crosses into
// the section before or after (arrow keys past the first or last place, or dragging onto
// another section, an empty one too). A drop posts the new index (and for material the
// section) to the same endpoint as the "Nach oben"/"Nach unten" buttons, which keep
// working without this script, as does the "Anderer Abschnitt" page. A section that gets
// its first item loses its "empty" hint, one whose last item leaves gets it back.
(function () {
  'use strict';
  var live = document.getElementById('arrange-live');
  var help = document.getElementById('arrange-help');
  if (!live) return;

  // `extra`: a further sentence (a section left empty).
  function say(key, name, pos, total, section, extra) {
    var text = (live.dataset[key] || '')
      .replace('{name}', name).replace('{pos}', pos).replace('{total}', total)
      .replace('{section}', section || '');
    if (extra) text += ' ' + extra;
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function itemsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute('data-move');
    });
  }

  function indexOf(item) {
    return itemsOf(item.parentElement).indexOf(item);
  }

  // Material lists share one group (material moves between sections); the section list
  // is a group of its own.
  var materialLists = Array.prototype.slice.call(
    document.querySelectorAll('[data-arrange="activity"]'));

  function isMaterial(item) {
    return item.parentElement.getAttribute('data-arrange') === 'activity';
  }

  // The "nothing here yet" hint of a material list (the page renders it for empty
  // sections only; the script adds it where the last item left).
  function emptyHint(list) {
    var prev = list.previousElementSibling;
    return prev && prev.classList.contains('lms-empty') ? prev : null;
  }

  // Shows each section's hint exactly when its list is empty; returns the sentence that
  // announces `from` as left empty, if it is.
  function syncEmpty(from) {
    materialLists.forEach(function (list) {
      var hint = emptyHint(list);
      var empty = itemsOf(list).length === 0;
      if (empty && !hint) {
        hint = document.createElement('p');
        hint.className = 'muted lms-empty';
        hint.textContent = live.dataset.empty || '';
        list.parentElement.insertBefore(hint, list);
      }
      if (hint) hint.hidden = !empty;
    });
    if (from && from.getAttribute('data-arrange') === 'activity' && !itemsOf(from).length) {
      return (live.dataset.leftEmpty || '').replace('{section}', from.dataset.sectionName || '');
    }
    return '';
  }

  // Saves the item's place; on failure the server's order is restored by a reload notice.
  function save(item) {
    var body = new URLSearchParams();
    body.append('position', String(indexOf(item)));
    if (isMaterial(item)) body.append('abschnitt', item.parentElement.dataset.section);
    return fetch(item.getAttribute('data-move'), {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
      return true;
    }).catch(function () {
      say('failed', '', '', '');
      return false;
    });
  }

  function announceDrop(item, from) {
    var all = itemsOf(item.parentElement);
    var left = syncEmpty(from);
    save(item).then(function (ok) {
      if (ok) say('dropped', item.dataset.name, all.indexOf(item) + 1, all.length, '', left);
    });
  }

  // Puts `item` at index `to` among the items of `list` (past the end: the end).
  function place(item, list, to) {
    var others = itemsOf(list).filter(function (el) { return el !== item; });
    var ref = others[to];
    if (ref) {
      list.insertBefore(item, ref);
    } else if (others.length) {
      var lastOther = others[others.length - 1];
      list.insertBefore(item, lastOther.nextSibling);
    } else {
      list.appendChild(item);
    }
  }

  function handleFor(item) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'button-small button-secondary lms-grab';
    b.setAttribute('aria-pressed', 'false');
    if (help) b.setAttribute('aria-describedby', help.id);
    b.textContent = (live.dataset.handle || 'Verschieben') + ': ' + item.dataset.name;
    return b;
  }

  var grabbed = null; // { item, handle, list, from }
  var moving = false; // a keyboard move re-inserts the focused handle: not a blur to act on

  function grab(item, handle) {
    grabbed = { item: item, handle: handle, list: item.parentElement, from: indexOf(item) };
    item.classList.add('lms-grabbed');
    handle.setAttribute('aria-pressed', 'true');
    var total = itemsOf(item.parentElement).length;
    say('grabbed', item.dataset.name, grabbed.from + 1, total);
  }

  function release(cancel, keepFocus) {
    var g = grabbed;
    grabbed = null;
    g.item.classList.remove('lms-grabbed');
    g.handle.setAttribute('aria-pressed', 'false');
    if (cancel) {
      moving = true;
      place(g.item, g.list, g.from);
      if (keepFocus) g.handle.focus();
      moving = false;
      syncEmpty(null);
      say('cancelled', g.item.dataset.name, g.from + 1, itemsOf(g.list).length);
    } else if (g.item.parentElement !== g.list || indexOf(g.item) !== g.from) {
      announceDrop(g.item, g.list);
    } else {
      say('dropped', g.item.dataset.name, g.from + 1, itemsOf(g.list).length);
    }
  }

  // Moves the focused item (its handle keeps the focus) to index `to` of `list`.
  function moveTo(item, handle, list, to) {
    moving = true;
    place(item, list, to);
    handle.focus();
    moving = false;
  }

  function onKey(e, item, handle) {
    var k = e.key;
    if (k === ' ' || k === 'Enter') {
      e.preventDefault();
      if (grabbed && grabbed.item === item) release(false, true);
      else {
        if (grabbed) release(true, false);
        grab(item, handle);
      }
      return;
    }
    if (!grabbed || grabbed.item !== item) return;
    if (k === 'Escape') {
      e.preventDefault();
      release(true, true);
      return;
    }
    var up = k === 'ArrowUp' || k === 'ArrowLeft';
    var down = k === 'ArrowDown' || k === 'ArrowRight';
    if (!up && !down && k !== 'Home' && k !== 'End') return;
    e.preventDefault();
    var list = item.parentElement;
    var all = itemsOf(list);
    var i = all.indexOf(item);
    // Past the first or last place, material goes on into the section before or after.
    var l = materialLists.indexOf(list);
    if (isMaterial(item) && ((up && i === 0 && l > 0) ||
        (down && i === all.length - 1 && l >= 0 && l < materialLists.length - 1))) {
      var next = materialLists[up ? l - 1 : l + 1];
      moveTo(item, handle, next, up ? itemsOf(next).length : 0);
      var now = itemsOf(next);
      say('section', item.dataset.name, now.indexOf(item) + 1, now.length,
        next.dataset.sectionName, syncEmpty(list));
      return;
    }
    var j = i;
    if (up) j = Math.max(0, i - 1);
    else if (down) j = Math.min(all.length - 1, i + 1);
    else if (k === 'Home') j = 0;
    else j = all.length - 1;
    if (j !== i) moveTo(item, handle, list, j);
    say('position', item.dataset.name, j + 1, all.length);
  }

  var dragging = null; // { item, list, from }

  // Whether the dragged item may go into `list`.
  function accepts(list) {
    if (!dragging) return false;
    var own = dragging.list.getAttribute('data-arrange');
    return list === dragging.item.parentElement ||
      (own === 'activity' && list.getAttribute('data-arrange') === 'activity');
  }

  function setUp(item) {
    var handle = handleFor(item);
    var slot = item.querySelector(':scope > .row-actions') || item;
    slot.insertBefore(handle, slot.firstChild);
    handle.addEventListener('keydown', function (e) { onKey(e, item, handle); });
    handle.addEventListener('blur', function () {
      if (!moving && grabbed && grabbed.item === item) release(true, false);
    });
    // The handle is what is dragged, so text in the item stays selectable.
    handle.draggable = true;
    handle.addEventListener('dragstart', function (e) {
      e.stopPropagation();
      dragging = { item: item, list: item.parentElement, from: indexOf(item) };
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', item.dataset.name);
      item.classList.add('lms-dragging');
    });
    item.addEventListener('dragover', function (e) {
      if (!dragging || dragging.item === item || !accepts(item.parentElement)) return;
      e.preventDefault();
      e.stopPropagation();
      var box = item.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      var crossing = dragging.item.parentElement !== item.parentElement;
      item.parentElement.insertBefore(dragging.item, after ? item.nextSibling : item);
      if (crossing) syncEmpty(null);
    });
    item.addEventListener('drop', function (e) {
      if (dragging && accepts(item.parentElement)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    handle.addEventListener('dragend', function (e) {
      e.stopPropagation();
      var d = dragging;
      dragging = null;
      item.classList.remove('lms-dragging');
      if (d && (item.parentElement !== d.list || indexOf(item) !== d.from)) {
        announceDrop(item, d.list);
      } else {
        syncEmpty(null);
      }
    });
  }

  // Material dragged over a section but not over one of its items (an empty section, its
  // heading or buttons) goes to the end of that section's list.
  materialLists.forEach(function (list) {
    var area = list.closest('section') || list;
    area.addEventListener('dragover', function (e) {
      if (!dragging || !isMaterial(dragging.item) || !accepts(list)) return;
      e.preventDefault();
      if (dragging.item.parentElement !== list) {
        place(dragging.item, list, itemsOf(list).length);
        syncEmpty(null);
      }
    });
    area.addEventListener('drop', function (e) {
      if (dragging && isMaterial(dragging.item)) e.preventDefault();
    });
  });

  var material = [];
  materialLists.forEach(function (list) { material = material.concat(itemsOf(list)); });
  if (material.length > 1 || (material.length && materialLists.length > 1)) {
    material.forEach(setUp);
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-arrange="section"]'),
    function (list) {
      var items = itemsOf(list);
      if (items.length > 1) items.forEach(setUp);
    });
  if (help) help.hidden = false;
})();
