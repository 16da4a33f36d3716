// chungtay pages: the one script. Panels that need many households are separate pages; this
// loads each into the page that links to it (without JavaScript, the link opens the panel).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-fragment-src]").forEach(function (panel) {
    panel.setAttribute("aria-busy", "true");
    fetch(panel.getAttribute("data-fragment-src"), { credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, text: text }; });
      })
      .then(function (answer) {
        var doc = new DOMParser().parseFromString(answer.text, "text/html");
        var body = doc.querySelector("[data-fragment-body]") || doc.querySelector("main");
        if (body) {
          panel.replaceChildren.apply(panel, Array.from(body.childNodes));
        }
        panel.setAttribute("data-loaded", answer.ok ? "ok" : "error");
      })
      .catch(function () { panel.setAttribute("data-loaded", "error"); })
      .finally(function () { panel.removeAttribute("aria-busy"); });
  });
});
