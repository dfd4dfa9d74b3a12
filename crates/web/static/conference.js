// The video conference of a chat room, over the chat socket (/api/v1/chat/socket) and
// WebRTC to the server's SFU. The browser always makes the offers: one "publish"
// connection with three send-only transceivers (microphone, camera, screen, in this order)
// and one "subscribe" connection per other participant with three receive-only ones.
// Turning camera, microphone or screen on and off swaps tracks, with no new negotiation.
// The server decides what it forwards (consent, mute, screen permission); the buttons only
// mirror that. A guest invited by link uses the same page parts over the guest socket
// (data-socket) after waiting to be admitted (data-state-url); moderators see the guests'
// waiting room and admit or refuse them without leaving the conference.
(function () {
  "use strict";
  var box = document.getElementById("conf");
  if (!box || !window.WebSocket || !window.RTCPeerConnection) return;
  var room = box.getAttribute("data-room");
  function T(k) { return box.getAttribute("data-t-" + k) || k; }
  function $(id) { return document.getElementById(id); }
  var statusEl = $("conf-status"), roomEl = $("conf-room"), grid = $("conf-grid");
  var people = $("conf-people");
  var btn = { start: $("conf-start"), join: $("conf-join"), mic: $("conf-mic"), cam: $("conf-cam"),
    screen: $("conf-screen"), hand: $("conf-hand"), leave: $("conf-leave"), end: $("conf-end") };
  var socket = null, joined = false, ice = [], me = null, view = null;
  var pub = null, tx = null, subs = {};
  var local = { mic: null, cam: null, screen: null };
  var grant = { audio: false, video: false, screen: false };
  var wantMic = false;
  var stateUrl = box.getAttribute("data-state-url"), guest = !!stateUrl;
  var socketPath = box.getAttribute("data-socket") || "/api/v1/chat/socket";
  var pinned = null, left = false, closed = false;
  // The node running the conference's media; another node takes over when it dies.
  var mediaNode = null;

  // A start or join clicked while the socket is (re)connecting is sent once it is open,
  // not lost (a busy device opens the socket after the page shows its buttons).
  var wanted = null;
  function send(op) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: "conf", room: room, op: op }));
    } else if (op.kind === "start" || op.kind === "join") {
      wanted = op;
    }
  }
  // The socket closes on floods (10 frames/s on average): in a big class the offers to
  // every other participant go out paced.
  var paced = [], pacing = null;
  function sendPaced(op) {
    paced.push(op);
    if (pacing) return;
    pacing = setInterval(function () {
      var op = paced.shift();
      if (op) send(op);
      if (!paced.length) { clearInterval(pacing); pacing = null; }
    }, 150);
  }
  function say(text) { statusEl.textContent = text; }

  // Only VP8 and Opus: every participant then speaks the same codec (no transcoding)
  // and the offers stay small enough for one socket frame.
  function prefer(t, kind) {
    if (!t.setCodecPreferences || !window.RTCRtpReceiver) return;
    var caps = RTCRtpReceiver.getCapabilities(kind);
    if (!caps) return;
    var want = kind === "video" ? /vp8/i : /opus/i;
    var codecs = caps.codecs.filter(function (c) { return want.test(c.mimeType); });
    if (codecs.length) t.setCodecPreferences(codecs);
  }

  function peer(dir) {
    var pc = new RTCPeerConnection({ iceServers: ice });
    var ts = [pc.addTransceiver("audio", { direction: dir }),
      pc.addTransceiver("video", { direction: dir }),
      pc.addTransceiver("video", { direction: dir })];
    prefer(ts[0], "audio"); prefer(ts[1], "video"); prefer(ts[2], "video");
    return { pc: pc, ts: ts };
  }

  async function publish() {
    var p = peer("sendonly");
    pub = p.pc; tx = p.ts;
    var offer = await pub.createOffer();
    await pub.setLocalDescription(offer);
    send({ kind: "publish", sdp: pub.localDescription.sdp });
  }

  function tile(id, label) {
    var li = document.createElement("li");
    li.className = "conf-tile"; li.id = id;
    var v = document.createElement("video");
    v.autoplay = true; v.playsInline = true; v.muted = true;
    v.setAttribute("aria-label", label);
    var s = document.createElement("span"); s.textContent = label;
    li.appendChild(v); li.appendChild(s);
    grid.appendChild(li);
    return li;
  }

  async function subscribe(p) {
    var s = peer("recvonly");
    var cam = tile("conf-v-" + p.user, p.name);
    var scr = tile("conf-s-" + p.user, p.name + " – " + T("screen"));
    scr.hidden = true;
    // The screen tile shows only while that participant shares.
    s.ts[2].receiver.track.onunmute = function () { scr.hidden = false; };
    s.ts[2].receiver.track.onmute = function () { scr.hidden = true; };
    var audio = document.createElement("audio");
    audio.autoplay = true; cam.appendChild(audio);
    cam.querySelector("video").srcObject = new MediaStream([s.ts[1].receiver.track]);
    scr.querySelector("video").srcObject = new MediaStream([s.ts[2].receiver.track]);
    audio.srcObject = new MediaStream([s.ts[0].receiver.track]);
    subs[p.user] = { pc: s.pc, ts: s.ts, cam: cam, scr: scr };
    var offer = await s.pc.createOffer();
    await s.pc.setLocalDescription(offer);
    sendPaced({ kind: "subscribe", publisher: p.user, sdp: s.pc.localDescription.sdp });
  }

  function unsubscribe(user) {
    var s = subs[user];
    if (!s) return;
    s.pc.close(); s.cam.remove(); s.scr.remove();
    delete subs[user];
  }

  async function setSource(which, on) {
    var idx = { mic: 0, cam: 1, screen: 2 }[which];
    if (local[which]) { local[which].stop(); local[which] = null; }
    if (on) {
      var stream = which === "screen" ? await navigator.mediaDevices.getDisplayMedia({ video: true })
        : await navigator.mediaDevices.getUserMedia(which === "mic" ? { audio: true } : { video: true });
      local[which] = which === "mic" ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
      if (which === "screen") local.screen.onended = function () { setSource("screen", false); };
    }
    if (tx) await tx[idx].sender.replaceTrack(local[which]);
    if (which === "cam") $("conf-self-video").srcObject = local.cam ? new MediaStream([local.cam]) : null;
    showButtons();
  }

  function toggle(b, on, onKey, offKey) {
    b.setAttribute("aria-pressed", on ? "true" : "false");
    b.textContent = T(on ? offKey : onKey);
  }

  function showButtons() {
    toggle(btn.mic, !!local.mic, "mic-on", "mic-off");
    toggle(btn.cam, !!local.cam, "cam-on", "cam-off");
    toggle(btn.screen, !!local.screen, "share", "share-stop");
    btn.mic.disabled = !grant.audio && !local.mic && !(view && mine() && mine().muted);
    btn.cam.disabled = !grant.video && !local.cam;
    btn.screen.disabled = !grant.screen && !local.screen;
    if (!grant.video) btn.cam.textContent = T("cam-on") + " (" + T("unavailable") + ")";
    if (!grant.audio && !(mine() && mine().muted)) btn.mic.textContent = T("mic-on") + " (" + T("unavailable") + ")";
  }

  function mine() {
    if (!view) return null;
    for (var i = 0; i < view.participants.length; i++) {
      if (view.participants[i].user === view.me) return view.participants[i];
    }
    return null;
  }

  function person(p) {
    var li = document.createElement("li");
    var text = p.name + (p.user === view.me ? " (" + T("you") + ")" : "");
    if (p.guest) text += " · " + T("guest");
    if (p.moderator) text += " · " + T("moderator");
    if (p.hand_raised) text += " · ✋ " + T("hand");
    if (p.muted) text += " · " + T("muted");
    li.appendChild(document.createTextNode(text));
    if (p.marker) {
      var m = document.createElement("span"); m.className = "conf-marker";
      m.textContent = " · " + T("marker"); li.appendChild(m);
    }
    if (p.user !== view.me) {
      // Keep this camera in view (the server's Last-N): the viewer's own choice.
      var pin = document.createElement("button");
      pin.type = "button"; pin.className = "button-secondary";
      pin.textContent = T("pin");
      pin.setAttribute("aria-pressed", pinned === p.user ? "true" : "false");
      pin.setAttribute("aria-label", T("pin") + ": " + p.name);
      pin.addEventListener("click", function () {
        pinned = pinned === p.user ? null : p.user;
        send({ kind: "pin", publisher: pinned });
      });
      li.appendChild(document.createTextNode(" ")); li.appendChild(pin);
    }
    if (view.moderator && p.user !== view.me) {
      var acts = [["mute", { kind: "mute", user: p.user }],
        [p.may_share ? "deny-share" : "allow-share", { kind: "allow_share", user: p.user, on: !p.may_share }],
        ["remove", { kind: "remove", user: p.user }]];
      if (p.guest) acts.splice(1, 1);
      if (p.hand_raised) acts.unshift(["lower-hand", { kind: "lower_hand", user: p.user }]);
      acts.forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "button-secondary";
        b.textContent = T(a[0]);
        b.setAttribute("aria-label", T(a[0]) + ": " + p.name);
        b.addEventListener("click", function () { send(a[1]); });
        li.appendChild(document.createTextNode(" ")); li.appendChild(b);
      });
    }
    return li;
  }

  async function onState(f) {
    var live = f.status.live;
    ice = f.ice_servers || [];
    btn.start.hidden = !(f.status.may_start && !live);
    btn.join.hidden = !live || f.joined;
    // An admitted guest joins as soon as the conference runs (unless they left).
    if (guest && live && !f.joined && !joined && !left) { send({ kind: "join" }); return; }
    if (!f.joined) {
      if (joined) teardown(live ? "" : T("ended"));
      else say(live ? "" : T("not-running"));
      return;
    }
    view = live; me = live.me;
    var my = mine();
    var before = grant;
    grant = my ? my.grant : grant;
    if (!joined) {
      joined = true; roomEl.hidden = false; say(T("joined"));
      await publish();
      if (grant.audio) await setSource("mic", true);
      if (grant.video) await setSource("cam", true);
    }
    var node = f.media_node || live.node;
    if (mediaNode && node !== mediaNode && pub) {
      // The media moved (its node died): drop the old connections, publish the same
      // tracks there and subscribe again (below).
      mediaNode = node;
      Object.keys(subs).forEach(unsubscribe);
      pub.close();
      await publish();
      var idx = { mic: 0, cam: 1, screen: 2 };
      for (var k in idx) if (local[k]) await tx[idx[k]].sender.replaceTrack(local[k]);
    }
    mediaNode = node;
    // What the server no longer forwards is switched off here too.
    if (!grant.audio && local.mic) await setSource("mic", false);
    if (!grant.video && local.cam) await setSource("cam", false);
    if (!grant.screen && local.screen) await setSource("screen", false);
    if (before.audio && !grant.audio && my && my.muted) say(T("muted"));
    if (wantMic && grant.audio) { wantMic = false; if (!local.mic) await setSource("mic", true); }
    btn.end.hidden = !live.moderator;
    toggle(btn.hand, my && my.hand_raised, "hand-up", "hand-down");
    people.textContent = "";
    var present = {};
    live.participants.forEach(function (p) {
      if (!p.present) return;
      people.appendChild(person(p));
      present[p.user] = true;
      if (p.user !== me && !subs[p.user]) subscribe(p);
    });
    Object.keys(subs).forEach(function (u) { if (!present[u]) unsubscribe(u); });
    showButtons();
  }

  function teardown(msg) {
    joined = false; roomEl.hidden = true; mediaNode = null;
    Object.keys(subs).forEach(unsubscribe);
    ["mic", "cam", "screen"].forEach(function (k) { if (local[k]) { local[k].stop(); local[k] = null; } });
    if (pub) { pub.close(); pub = null; tx = null; }
    if (msg) say(msg);
  }

  function onMessage(ev) {
    var f = JSON.parse(ev.data);
    if (f.room !== room) return;
    if (f.type === "conf_state") onState(f);
    else if (f.type === "conf_answer") {
      var pc = f.role === "publish" ? pub : (subs[f.publisher] || {}).pc;
      if (pc) pc.setRemoteDescription({ type: "answer", sdp: f.sdp });
    } else if (f.type === "error" && f.conference) say(T("error") + " " + f.message);
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(proto + location.host + socketPath);
    socket.onopen = function () {
      send({ kind: joined ? "join" : "status" });
      var w = wanted;
      wanted = null;
      if (w && !(joined && w.kind === "join")) send(w);
    };
    socket.onmessage = onMessage;
    socket.onclose = function (ev) {
      // A guest put out (4403) or whose link closed (4404) does not come back.
      if (ev.code === 4403 || ev.code === 4404) {
        closed = true; teardown(T(ev.code === 4403 ? "put-out" : "closed"));
        return;
      }
      if (!closed) setTimeout(connect, 2000);
    };
  }

  // A guest waits until a moderator admits them: asks every three seconds.
  function waitForAdmission() {
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.ok ? r.json() : { state: "closed" };
    }).then(function (s) {
      if (s.state === "admitted") { say(T("admitted")); connect(); }
      else if (s.state === "waiting") setTimeout(waitForAdmission, 3000);
      else say(T(s.state === "refused" ? "refused" : "closed"));
    }, function () { setTimeout(waitForAdmission, 3000); });
  }

  // Moderators: the guests' waiting room, from the database (so guests who arrive on
  // another node appear too); admit and refuse without leaving the page.
  var waitingBox = $("conf-waiting");
  function renderWaiting(list) {
    waitingBox.textContent = "";
    if (!list.length) {
      var none = document.createElement("p"); none.textContent = T("nobody-waits");
      waitingBox.appendChild(none); return;
    }
    var ul = document.createElement("ul");
    ul.setAttribute("aria-labelledby", "conf-waiting-h");
    list.forEach(function (g) {
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(g.name));
      [["admit", "einlassen", ""], ["refuse", "abweisen", "button-secondary"]].forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button"; b.className = a[2]; b.textContent = T(a[0]);
        b.setAttribute("aria-label", T(a[0]) + ": " + g.name);
        b.addEventListener("click", function () { decide(g.id, a[1]); });
        li.appendChild(document.createTextNode(" ")); li.appendChild(b);
      });
      ul.appendChild(li);
    });
    waitingBox.appendChild(ul);
  }
  function loadWaiting() {
    fetch(waitingBox.getAttribute("data-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (w) { if (w) renderWaiting(w.waiting); }, function () {});
  }
  function decide(id, what) {
    fetch(waitingBox.getAttribute("data-url") + "/" + id, { method: "POST", credentials: "same-origin",
      redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "entscheidung=" + what }).then(loadWaiting, loadWaiting);
  }
  if (waitingBox) {
    loadWaiting();
    setInterval(loadWaiting, 4000);
  }

  btn.start.addEventListener("click", function () { send({ kind: "start" }); });
  btn.join.addEventListener("click", function () { send({ kind: "join" }); });
  btn.leave.addEventListener("click", function () { left = true; wanted = null; send({ kind: "leave" }); teardown(""); });
  btn.join.addEventListener("click", function () { left = false; });
  btn.end.addEventListener("click", function () { send({ kind: "end" }); });
  btn.hand.addEventListener("click", function () {
    var my = mine(); send({ kind: "hand", up: !(my && my.hand_raised) });
  });
  btn.mic.addEventListener("click", function () {
    var my = mine();
    if (!local.mic && my && my.muted) { wantMic = true; send({ kind: "unmute" }); }
    else setSource("mic", !local.mic);
  });
  btn.cam.addEventListener("click", function () { setSource("cam", !local.cam); });
  btn.screen.addEventListener("click", function () { setSource("screen", !local.screen); });
  // Tests reach the connections through this (read-only use).
  window.schulhofConference = { subs: subs, get pub() { return pub; }, get tx() { return tx; },
    get me() { return me; }, get mediaNode() { return mediaNode; } };
  if (guest) waitForAdmission(); else connect();
})();
