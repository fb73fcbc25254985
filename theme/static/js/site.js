// Reading aids: font size, high contrast and print, remembered across pages.
(function () {
  "use strict";
  var root = document.documentElement;
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  function applyFont(step) {
    root.classList.remove("font--1", "font-1", "font-2");
    if (step) root.classList.add("font-" + step);
  }
  var font = parseInt(store.get("gazette-font") || "0", 10);
  applyFont(font);
  if (store.get("gazette-contrast") === "1") root.classList.add("contrast");
  document.addEventListener("DOMContentLoaded", function () {
    var contrast = document.querySelector("[data-contrast]");
    if (contrast) contrast.setAttribute("aria-pressed", root.classList.contains("contrast") ? "true" : "false");
    document.querySelectorAll("[data-font]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var d = parseInt(btn.getAttribute("data-font"), 10);
        font = d === 0 ? 0 : Math.max(-1, Math.min(2, font + d));
        applyFont(font);
        store.set("gazette-font", String(font));
      });
    });
    if (contrast) contrast.addEventListener("click", function () {
      var on = root.classList.toggle("contrast");
      contrast.setAttribute("aria-pressed", on ? "true" : "false");
      store.set("gazette-contrast", on ? "1" : "0");
    });
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
  });
})();
