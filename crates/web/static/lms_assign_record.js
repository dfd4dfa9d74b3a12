// Assignments: recording speech in the browser (MediaRecorder) for the audio instruction, a
// spoken answer and spoken feedback. The recording fills the form's own file input, so the
// form is sent as it is; without JavaScript or a microphone that input uploads a file (on
// phones it opens the recorder). The server checks the recording's bytes.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;
  // MP4 where the browser records it (Safari: the one format it plays everywhere), else
  // WebM with Opus; the browser's default when it names neither.
  var TYPES = ["audio/mp4", "audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus"];
  function pick() {
    for (var i = 0; i < TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    }
    return "";
  }

  function setup(box) {
    var input = document.getElementById(box.dataset.input);
    var start = box.querySelector("[data-rec-start]");
    var stop = box.querySelector("[data-rec-stop]");
    var status = box.querySelector("[data-rec-status]");
    var preview = box.querySelector("[data-rec-preview]");
    if (!input || !start || !stop) return;
    box.hidden = false;
    var recorder = null;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        var type = pick();
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var mime = (recorder.mimeType || type || "audio/webm").split(";")[0];
          var ext = mime.indexOf("mp4") >= 0 ? "m4a" : (mime.indexOf("ogg") >= 0 ? "ogg" : "webm");
          var file = new File(chunks, "aufnahme." + ext, { type: mime });
          var dt = new DataTransfer();
          dt.items.add(file);
          input.files = dt.files;
          if (preview) {
            preview.src = URL.createObjectURL(file);
            preview.hidden = false;
          }
          status.textContent = box.dataset.done;
        };
        recorder.start(250);
        start.disabled = true;
        stop.disabled = false;
        status.textContent = box.dataset.recording;
      }).catch(function () { status.textContent = box.dataset.denied; });
    });
    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") recorder.stop();
      stop.disabled = true;
      start.disabled = false;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-recorder]"), setup);
})();

// Read-aloud of instructions (issue 15: children who cannot read yet): a button next to
// the text speaks it with the browser's speech synthesis in the page's language. Without
// JavaScript or speech synthesis the button stays hidden; the audio instruction remains.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-read-aloud]"), function (btn) {
    var target = document.getElementById(btn.dataset.readAloud);
    if (!target) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        btn.textContent = btn.dataset.start;
        return;
      }
      var u = new SpeechSynthesisUtterance(target.textContent);
      u.lang = document.documentElement.lang || "de";
      u.onend = function () { btn.textContent = btn.dataset.start; };
      btn.textContent = btn.dataset.stop;
      window.speechSynthesis.speak(u);
    });
  });
})();
