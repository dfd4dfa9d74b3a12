// Uploads in the file manager: a progress bar, and files dropped onto the form. Without
// this script the upload form posts as a plain form; the server answers the same either way.
(function () {
  'use strict';
  var form = document.querySelector('form[data-upload]');
  if (!form || !window.FormData || !window.XMLHttpRequest || !window.DOMParser) return;
  var input = form.querySelector('input[type="file"]');
  var zone = form.querySelector('[data-drop]');
  var hint = form.querySelector('[data-drop-hint]');
  var box = form.querySelector('[data-progress]');
  var bar = box && box.querySelector('progress');
  var status = form.querySelector('[data-upload-status]');
  var errors = form.querySelector('[data-upload-error]');
  var button = form.querySelector('button[type="submit"]');
  if (!input || !bar || !status || !errors || !button) return;
  var busy = false;

  function say(text) {
    status.textContent = text;
  }

  function percent(n) {
    return (form.getAttribute('data-uploading') || '{n} %').replace('{n}', String(n));
  }

  function fail(text) {
    errors.textContent = '';
    var alert = document.createElement('div');
    alert.className = 'alert';
    alert.setAttribute('role', 'alert');
    var p = document.createElement('p');
    p.textContent = text;
    alert.appendChild(p);
    errors.appendChild(alert);
  }

  function idle() {
    busy = false;
    button.disabled = false;
    box.hidden = true;
    say('');
  }

  // The message the server put on its answer page, or a general one.
  function messageOf(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var shown = doc.querySelector(
      'form[data-upload] .field-error, form[data-upload] [role="alert"], main [role="alert"]');
    var text = shown ? shown.textContent.replace(/^\s*!\s*/, '').trim() : '';
    return text || form.getAttribute('data-failed');
  }

  function send() {
    if (busy) return;
    busy = true;
    errors.textContent = '';
    box.hidden = false;
    bar.value = 0;
    button.disabled = true;
    var announced = 0;
    say(percent(0));
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable || e.total === 0) return;
      var n = Math.floor((e.loaded * 100) / e.total);
      bar.value = n;
      // Screen readers hear each quarter, not every step.
      var quarter = Math.floor(n / 25);
      if (quarter !== announced) {
        announced = quarter;
        say(percent(n));
      }
    });
    xhr.addEventListener('load', function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        say(form.getAttribute('data-done'));
        // The server redirected to the folder with its message; show that page.
        window.location.assign(xhr.responseURL || window.location.href);
        return;
      }
      idle();
      fail(messageOf(xhr.responseText));
    });
    xhr.addEventListener('error', function () {
      idle();
      fail(form.getAttribute('data-failed'));
    });
    xhr.send(new FormData(form));
  }

  form.addEventListener('submit', function (e) {
    // Without a file the plain form goes, and the server explains what is missing.
    if (!input.files || input.files.length === 0) return;
    e.preventDefault();
    send();
  });

  if (zone && hint) {
    hint.hidden = false;
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (e) {
        e.preventDefault();
        zone.classList.add('dragging');
      });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () {
        zone.classList.remove('dragging');
      });
    });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
      input.files = e.dataTransfer.files;
      send();
    });
  }
})();
