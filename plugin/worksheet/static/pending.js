// The waiting page asks every few seconds whether the result is ready, then says so with a link (no
// automatic reload: a page that changes under a screen reader's user loses their place).
(function () {
  "use strict";
  var box = document.getElementById("result-status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status");
  var tries = 0;

  function ready() {
    var link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = "Your result is ready: open it";
    box.textContent = "";
    box.appendChild(link);
  }

  function ask() {
    tries += 1;
    fetch(url, { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (body) {
        if (body.ready) { ready(); } else if (body.failed) { window.location.reload(); }
        else if (tries < 60) { setTimeout(ask, 3000); }
      })
      .catch(function () { if (tries < 60) { setTimeout(ask, 5000); } });
  }
  setTimeout(ask, 2000);
}());
