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

  // Resumable uploads (tus 1.0.0 against /api/v1/uploads) for large files: after a broken
  // connection, or a reload of the page, the upload goes on where the server stopped.
  var tusUrl = form.getAttribute('data-resumable');
  var folder = form.getAttribute('data-folder');
  var RESUMABLE_FROM = 8 * 1024 * 1024;
  var RETRIES = [1000, 2000, 4000, 8000, 15000, 30000];

  function wantsResumable(files) {
    if (!tusUrl || !folder || !window.localStorage || !window.btoa || !window.TextEncoder) return false;
    for (var i = 0; i < files.length; i++) {
      if (files[i].size >= RESUMABLE_FROM) return true;
    }
    return false;
  }

  function b64(text) {
    var bytes = new TextEncoder().encode(text);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  function storeKey(file) {
    return 'schulhof-upload:' + folder + ':' + file.name + ':' + file.size + ':' + file.lastModified;
  }

  // One tus request; `done` gets the XHR whatever happened (status 0: no answer).
  function tus(method, url, headers, body, onProgress, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('Tus-Resumable', '1.0.0');
    Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
    if (onProgress) xhr.upload.addEventListener('progress', onProgress);
    xhr.addEventListener('loadend', function () { done(xhr); });
    xhr.send(body);
  }

  function apiMessage(xhr) {
    try {
      return JSON.parse(xhr.responseText).message || form.getAttribute('data-failed');
    } catch (e) {
      return form.getAttribute('data-failed');
    }
  }

  // Worth another try: no answer, a busy or moved-on upload, a server hiccup.
  function transient(status) {
    return status === 0 || status === 409 || status === 423 || status >= 500 && status !== 507;
  }

  function uploadOne(file, report, finished, failed) {
    var key = storeKey(file);
    var url = localStorage.getItem(key);
    var tries = 0;

    function retry(next) {
      if (tries >= RETRIES.length) return failed(form.getAttribute('data-failed'));
      say(form.getAttribute('data-resuming'));
      setTimeout(next, RETRIES[tries++]);
    }

    function create() {
      var meta = 'filename ' + b64(file.name) + ',folder ' + b64(folder) +
        (file.type ? ',filetype ' + b64(file.type) : '');
      tus('POST', tusUrl, { 'Upload-Length': String(file.size), 'Upload-Metadata': meta }, null, null,
        function (xhr) {
          if (xhr.status === 201) {
            url = xhr.getResponseHeader('Location');
            localStorage.setItem(key, url);
            return patch(0);
          }
          if (transient(xhr.status)) return retry(create);
          failed(apiMessage(xhr));
        });
    }

    function resume() {
      tus('HEAD', url, {}, null, null, function (xhr) {
        if (xhr.status === 200) {
          return patch(parseInt(xhr.getResponseHeader('Upload-Offset'), 10) || 0);
        }
        if (transient(xhr.status)) return retry(resume);
        // Gone (expired, finished or cancelled): start afresh.
        localStorage.removeItem(key);
        create();
      });
    }

    function patch(offset) {
      report(offset);
      tus('PATCH', url, {
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream'
      }, file.slice(offset), function (e) { report(offset + e.loaded); }, function (xhr) {
        if (xhr.status === 200) {
          // The piece that completes the file answers with the stored file.
          localStorage.removeItem(key);
          report(file.size);
          return finished();
        }
        if (xhr.status === 204) {
          // The server kept a part and ended the piece: go on from where it stands.
          tries = 0;
          return resume();
        }
        if (transient(xhr.status)) return retry(resume);
        localStorage.removeItem(key);
        failed(apiMessage(xhr));
      });
    }

    if (url) {
      say(form.getAttribute('data-resumed'));
      resume();
    } else {
      create();
    }
  }

  function sendResumable(files) {
    if (busy) return;
    busy = true;
    errors.textContent = '';
    box.hidden = false;
    bar.value = 0;
    button.disabled = true;
    var total = 0;
    for (var i = 0; i < files.length; i++) total += files[i].size;
    var before = 0;
    var announced = -1;
    var index = 0;

    function report(sent) {
      var n = total === 0 ? 100 : Math.floor(((before + sent) * 100) / total);
      bar.value = n;
      var quarter = Math.floor(n / 25);
      if (quarter !== announced) {
        announced = quarter;
        say(percent(n));
      }
    }

    function next() {
      if (index >= files.length) {
        say(form.getAttribute('data-done'));
        var back = window.location.pathname;
        window.location.assign(back + '?ok=uploaded');
        return;
      }
      var file = files[index];
      uploadOne(file, report, function () {
        before += file.size;
        index += 1;
        next();
      }, function (message) {
        idle();
        fail(file.name + ': ' + message);
      });
    }
    next();
  }

  function start(files) {
    if (wantsResumable(files)) {
      sendResumable(Array.prototype.slice.call(files));
    } else {
      send();
    }
  }

  form.addEventListener('submit', function (e) {
    // Without a file the plain form goes, and the server explains what is missing.
    if (!input.files || input.files.length === 0) return;
    e.preventDefault();
    start(input.files);
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
      start(input.files);
    });
  }
})();
