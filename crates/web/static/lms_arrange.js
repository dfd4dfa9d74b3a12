// Course page for editors: sections and material are dragged by a handle, or moved by
// keyboard on the same handle (Space or Enter picks up, arrow keys move, Space or Enter
// drops, Escape cancels), announced in the page's live region. A drop posts the new index
// to the same endpoint as the "Nach oben"/"Nach unten" buttons, which keep working without
// this script.
(function () {
  'use strict';
  var live = document.getElementById('arrange-live');
  var help = document.getElementById('arrange-help');
  if (!live) return;

  function say(key, name, pos, total) {
    var text = (live.dataset[key] || '')
      .replace('{name}', name).replace('{pos}', pos).replace('{total}', total);
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

  // Saves the item's place; on failure the server's order is restored by a reload notice.
  function save(item) {
    var body = new URLSearchParams();
    body.append('position', String(indexOf(item)));
    return fetch(item.getAttribute('data-move'), {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
      item.removeAttribute('aria-busy');
      return true;
    }).catch(function () {
      say('failed', '', '', '');
      return false;
    });
  }

  function announceDrop(item) {
    var all = itemsOf(item.parentElement);
    save(item).then(function (ok) {
      if (ok) say('dropped', item.dataset.name, all.indexOf(item) + 1, all.length);
    });
  }

  // Puts `item` at index `to` among its list's items.
  function place(item, to) {
    var list = item.parentElement;
    var others = itemsOf(list).filter(function (el) { return el !== item; });
    var ref = others[to];
    if (ref) {
      list.insertBefore(item, ref);
    } else if (others.length) {
      var lastOther = others[others.length - 1];
      list.insertBefore(item, lastOther.nextSibling);
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

  var grabbed = null; // { item, handle, from }
  var moving = false; // a keyboard move re-inserts the focused handle: not a blur to act on

  function grab(item, handle) {
    grabbed = { item: item, handle: handle, from: indexOf(item) };
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
    var total = itemsOf(g.item.parentElement).length;
    if (cancel) {
      moving = true;
      place(g.item, g.from);
      if (keepFocus) g.handle.focus();
      moving = false;
      say('cancelled', g.item.dataset.name, g.from + 1, total);
    } else if (indexOf(g.item) !== g.from) {
      announceDrop(g.item);
    } else {
      say('dropped', g.item.dataset.name, g.from + 1, total);
    }
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
    var all = itemsOf(item.parentElement);
    var i = all.indexOf(item);
    var j = i;
    if (k === 'ArrowUp' || k === 'ArrowLeft') j = Math.max(0, i - 1);
    else if (k === 'ArrowDown' || k === 'ArrowRight') j = Math.min(all.length - 1, i + 1);
    else if (k === 'Home') j = 0;
    else if (k === 'End') j = all.length - 1;
    else return;
    e.preventDefault();
    if (j !== i) {
      moving = true;
      place(item, j);
      handle.focus();
      moving = false;
    }
    say('position', item.dataset.name, j + 1, all.length);
  }

  var dragging = null;

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
      dragging = { item: item, from: indexOf(item) };
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', item.dataset.name);
      item.classList.add('lms-dragging');
    });
    item.addEventListener('dragover', function (e) {
      if (!dragging || dragging.item === item || dragging.item.parentElement !== item.parentElement) return;
      e.preventDefault();
      e.stopPropagation();
      var box = item.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      item.parentElement.insertBefore(dragging.item, after ? item.nextSibling : item);
    });
    item.addEventListener('drop', function (e) {
      if (dragging && dragging.item.parentElement === item.parentElement) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    handle.addEventListener('dragend', function (e) {
      e.stopPropagation();
      var d = dragging;
      dragging = null;
      item.classList.remove('lms-dragging');
      if (d && indexOf(item) !== d.from) announceDrop(item);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-arrange]'), function (list) {
    var items = itemsOf(list);
    if (items.length > 1) items.forEach(setUp);
  });
  if (help) help.hidden = false;
})();
