// fluorologic workbench: the one thing a form cannot do alone is send a chosen file as the request body.
// Written for this project; it talks only to the page's own origin.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("load-form");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("load-file");
    var status = document.getElementById("load-status");
    if (!input.files || !input.files.length) { status.textContent = "Choose a file first."; return; }
    var file = input.files[0];
    status.textContent = "Sending " + file.name + "...";
    fetch(form.action + "?name=" + encodeURIComponent(file.name), {
      method: "POST", body: file, credentials: "same-origin",
      headers: {"Content-Type": "application/octet-stream"}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      if (answer.ok) { window.location.assign(answer.body.url); }
      else { status.textContent = "Not loaded: " + answer.body.error; }
    }).catch(function () { status.textContent = "Not loaded: the server did not answer."; });
  });
});
