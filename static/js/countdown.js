// SLA clocks count down live: every element with data-due (an ISO 8601 due time) says how long is left, in the
// words the server uses ("due in 1 h 20 min", "due now", "breached"). The page works without it.
(function () {
  "use strict";
  function span(ms) {
    var minutes = Math.max(1, Math.ceil(ms / 60000));
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var rest = minutes % 60;
    if (days) return days + (days === 1 ? " day" : " days") + (hours ? " " + hours + " h" : "");
    if (hours) return rest ? hours + " h " + rest + " min" : hours + " h";
    return rest + " min";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (clock) {
      var left = Date.parse(clock.getAttribute("data-due")) - now;
      if (isNaN(left)) return;
      var label = left < 0 ? "breached" : left < 60000 ? "due now" : "due in " + span(left);
      if (clock.textContent !== label) clock.textContent = label;
      clock.classList.toggle("badge", left <= 3600000);
      clock.classList.toggle("badge-warn", left >= 0 && left <= 3600000);
      clock.classList.toggle("badge-danger", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 15000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
