// Save the worksheet as the candidate types (the form works without this: "Save and finish later").
(function () {
  "use strict";
  var form = document.getElementById("worksheet");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("autosave-status");
  var url = form.getAttribute("data-autosave");
  var timer = null;
  var pending = false;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    timer = null;
    if (pending) { timer = setTimeout(save, 1000); return; }
    pending = true;
    var data = new FormData(form);
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-CSRFToken": data.get("csrf_token") } })
      .then(function (answer) {
        return answer.json().then(function (body) { return { ok: answer.ok, body: body }; },
                                  function () { return { ok: answer.ok, body: {} }; });
      })
      .then(function (result) {
        if (result.ok && result.body.saved) {
          say("Saved as you type (" + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ").");
        } else if (result.body.errors) {
          var first = Object.keys(result.body.errors)[0];
          say("Not saved yet: " + result.body.errors[first].join(" "));
        } else {
          say("Not saved yet: the page could not reach the server. Your text is still here.");
        }
      })
      .catch(function () { say("Not saved yet: no connection. Your text is still here."); })
      .then(function () { pending = false; });
  }

  form.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
