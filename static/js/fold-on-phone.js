// Filters start open (so they show without a script, and on a desktop); on a phone-sized
// screen they start folded so the results are on the first screen. Load it right after the
// <details data-fold-on-phone> it folds, so the page never paints them open first.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 760px)").matches) return;
  document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
    details.open = false;
  });
})();
