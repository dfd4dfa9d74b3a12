// The quiz timer: counts the minutes down on the attempt page. The region is aria-live
// "polite", and its text changes once a minute at most, so screen readers are told
// without being interrupted. Without this script the page shows the time at load and
// the deadline, and the server enforces it either way.
(function () {
  "use strict";
  var el = document.getElementById("quiz-timer");
  if (!el) return;
  var deadline = Number(el.getAttribute("data-deadline"));
  var pattern = el.getAttribute("data-pattern") || "";
  if (!deadline || !pattern) return;
  var last = null;
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 60000));
    if (left !== last) {
      last = left;
      el.textContent = pattern.replace("{n}", String(left));
    }
  }
  tick();
  setInterval(tick, 5000);
})();
