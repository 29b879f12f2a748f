// The complaint form: show only the fields of the chosen subject (window, broker or
// listing), and the name and contact fields only for a complaint filed under one's name.
// Without JS every field shows and the server checks the one that matters.
(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form) return;
  function sync() {
    var chosen = form.querySelector('input[name="subject"]:checked');
    form.querySelectorAll("[data-subject]").forEach(function (el) {
      el.hidden = !!chosen && el.dataset.subject !== chosen.value;
    });
    var anonymous = form.querySelector('input[name="anonymous"]');
    var named = document.getElementById("named-fields");
    if (anonymous && named) named.hidden = anonymous.checked;
  }
  form.addEventListener("change", sync);
  sync();
})();
