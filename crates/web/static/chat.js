// The chat room goes live: a WebSocket to /api/v1/chat/socket resumes the room after the
// last sequence number the page shows, adds new and changed messages to the log (role=log,
// so screen readers announce them), sends the form without reloading, and shows who types.
// Without this script the page works with plain form posts and reloads.
(function () {
  "use strict";
  var box = document.getElementById("chat");
  if (!box || !window.WebSocket) return;
  var room = box.getAttribute("data-room");
  var seq = parseInt(box.getAttribute("data-seq"), 10) || 0;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var text = document.getElementById("chat-text");
  var typing = document.getElementById("chat-typing");
  var status = document.getElementById("chat-status");
  var me = null;
  var socket = null;
  var retry = 1000;
  var lastTyping = 0;
  var typingTimer = null;

  function setStatus(live) {
    status.hidden = false;
    status.textContent = status.getAttribute(live ? "data-live" : "data-offline");
  }

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined) e.textContent = txt;
    return e;
  }

  function render(m) {
    var li = el("li");
    li.id = "m-" + m.seq;
    li.setAttribute("data-seq", m.seq);
    var when = new Date(m.created).toLocaleString(document.documentElement.lang);
    var meta = el("p", "muted");
    var who = el("strong", "chat-author", m.author_name);
    meta.appendChild(who);
    if (m.notice) {
      li.className = "chat-notice";
      meta.appendChild(document.createTextNode(" [" + m.notice + "] · " + when));
      li.appendChild(meta);
      return li;
    }
    meta.appendChild(document.createTextNode(" · " + when +
      (m.edited ? " · " + box.getAttribute("data-edited") : "")));
    li.appendChild(meta);
    if (m.deleted) {
      var d = el("p", "chat-text muted");
      d.appendChild(el("em", null, box.getAttribute("data-deleted")));
      li.appendChild(d);
    } else {
      li.appendChild(el("p", "chat-text", m.text));
    }
    if (m.reactions && m.reactions.length) {
      li.appendChild(el("p", "chat-reactions muted", m.reactions.map(function (r) {
        return r.emoji + " " + r.count;
      }).join(" · ")));
    }
    return li;
  }

  function apply(msgs) {
    var empty = document.getElementById("chat-empty");
    if (empty && msgs.length) empty.remove();
    msgs.forEach(function (m) {
      var old = document.getElementById("m-" + m.seq);
      var li = render(m);
      if (old) {
        // A changed message keeps its place; the log announces only additions.
        old.replaceWith(li);
      } else {
        log.appendChild(li);
      }
      if (m.rev > seq) seq = m.rev;
    });
    if (msgs.length) {
      send({ type: "read", room: room, seq: seq });
      log.lastElementChild.scrollIntoView({ block: "nearest" });
    }
  }

  function send(frame) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/chat/socket";
    socket = new WebSocket(url);
    socket.onopen = function () {
      retry = 1000;
      setStatus(true);
    };
    socket.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === "hello") {
        me = f.user;
        // Catch up from what the page shows: nothing is missed, nothing comes twice.
        send({ type: "resume", room: room, after: seq });
      } else if (f.type === "messages" && f.room === room) {
        apply(f.messages);
      } else if (f.type === "typing" && f.room === room && f.user !== me) {
        typing.textContent = box.getAttribute("data-typing");
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
      } else if (f.type === "error" && f.ref) {
        // A refused send: fall back to the form post, which shows the reason.
        form.submit();
      }
    };
    socket.onclose = function () {
      setStatus(false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  if (form) {
    form.addEventListener("submit", function (ev) {
      var t = text.value.trim();
      if (!t) return;
      if (send({ type: "send", room: room, text: t, ref: String(Date.now()) })) {
        ev.preventDefault();
        text.value = "";
        text.focus();
      }
    });
    text.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 3000) {
        lastTyping = now;
        send({ type: "typing", room: room });
      }
    });
  }
  connect();

  // Voice messages: recorded with MediaRecorder and sent as a multipart form to the room's
  // attachment address (the server checks the bytes are a recording). Without a
  // microphone or MediaRecorder the box stays hidden; the file form remains.
  var rec = document.getElementById("chat-recorder");
  if (rec && window.MediaRecorder && navigator.mediaDevices) {
    rec.hidden = false;
    var startBtn = document.getElementById("chat-rec");
    var stopBtn = document.getElementById("chat-rec-stop");
    var recStatus = document.getElementById("chat-rec-status");
    var recorder = null;
    startBtn.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var type = recorder.mimeType || "audio/webm";
          var ext = type.indexOf("mp4") >= 0 ? "m4a" : (type.indexOf("ogg") >= 0 ? "ogg" : "webm");
          var body = new FormData();
          body.append("voice", "1");
          body.append("file", new Blob(chunks, { type: type }), "sprachnachricht." + ext);
          recStatus.textContent = "…";
          fetch(rec.dataset.action, { method: "POST", body: body, credentials: "same-origin" })
            .then(function (r) { window.location.href = r.url || window.location.href; })
            .catch(function () { recStatus.textContent = "✗"; });
        };
        recorder.start();
        startBtn.disabled = true;
        stopBtn.disabled = false;
        recStatus.textContent = "● REC";
      }).catch(function (e) { recStatus.textContent = String(e); });
    });
    stopBtn.addEventListener("click", function () {
      if (recorder) recorder.stop();
      stopBtn.disabled = true;
      startBtn.disabled = false;
    });
  }
})();
