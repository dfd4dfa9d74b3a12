// Recording audio or video for course media in the browser (MediaRecorder). Without
// JavaScript or a microphone the ordinary upload form remains; the recording is sent to the
// same address as a file, and the server checks its bytes.
(function () {
  "use strict";
  var box = document.getElementById("lms-recorder");
  if (!box || !window.MediaRecorder || !navigator.mediaDevices) return;
  box.hidden = false;
  var status = document.getElementById("rec-status");
  var stop = document.getElementById("rec-stop");
  var starts = [document.getElementById("rec-audio"), document.getElementById("rec-video")];
  var recorder = null;

  function start(video) {
    navigator.mediaDevices.getUserMedia({ audio: true, video: video }).then(function (stream) {
      var chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        var type = recorder.mimeType || (video ? "video/webm" : "audio/webm");
        var ext = type.indexOf("mp4") >= 0 ? "mp4" : (type.indexOf("ogg") >= 0 ? "ogg" : "webm");
        var form = new FormData();
        form.append("datei", new Blob(chunks, { type: type }), "aufnahme." + ext);
        status.textContent = box.dataset.uploading;
        fetch(box.dataset.action, { method: "POST", body: form, credentials: "same-origin" })
          .then(function (r) {
            if (!r.ok) throw new Error(String(r.status));
            window.location.href = r.url || window.location.href;
          })
          .catch(function () { status.textContent = box.dataset.failed; });
      };
      recorder.start();
      stop.disabled = false;
      starts.forEach(function (b) { b.disabled = true; });
      status.textContent = box.dataset.recording;
    }).catch(function () { status.textContent = box.dataset.denied; });
  }

  starts[0].addEventListener("click", function () { start(false); });
  starts[1].addEventListener("click", function () { start(true); });
  stop.addEventListener("click", function () {
    if (recorder) recorder.stop();
    stop.disabled = true;
    starts.forEach(function (b) { b.disabled = false; });
  });
})();
