// Reading aids: font size (小 / 中 / 大), high contrast and print, remembered across pages.
(function () {
  "use strict";
  var root = document.documentElement;
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  var SIZES = [-1, 0, 1];  // 小, 中, 大: the classes font--1, (none), font-1
  function applyFont(step) {
    root.classList.remove("font--1", "font-1");
    if (step) root.classList.add("font-" + step);
  }
  var font = Math.max(-1, Math.min(1, parseInt(store.get("gazette-font") || "0", 10) || 0));
  applyFont(font);
  // High contrast: the reader's choice on this site, else the system's (prefers-contrast: more).
  var system = window.matchMedia ? window.matchMedia("(prefers-contrast: more)") : { matches: false };
  var chosen = store.get("gazette-contrast");
  function contrastOn() { return chosen === "1" || (chosen !== "0" && system.matches); }
  function applyContrast() {
    root.classList.toggle("contrast", chosen === "1");
    root.classList.toggle("contrast-off", chosen === "0");
  }
  applyContrast();
  document.addEventListener("DOMContentLoaded", function () {
    var contrast = document.querySelector("[data-contrast]");
    var sizes = document.querySelectorAll("[data-font]");
    function pressed() {
      sizes.forEach(function (btn) {
        btn.setAttribute("aria-pressed", parseInt(btn.getAttribute("data-font"), 10) === font ? "true" : "false");
      });
      if (contrast) contrast.setAttribute("aria-pressed", contrastOn() ? "true" : "false");
    }
    pressed();
    sizes.forEach(function (btn) {
      btn.addEventListener("click", function () {
        var step = parseInt(btn.getAttribute("data-font"), 10);
        font = SIZES.indexOf(step) < 0 ? 0 : step;
        applyFont(font);
        store.set("gazette-font", String(font));
        pressed();
      });
    });
    if (contrast) contrast.addEventListener("click", function () {
      chosen = contrastOn() ? "0" : "1";
      applyContrast();
      store.set("gazette-contrast", chosen);
      pressed();
    });
    if (system.addEventListener) system.addEventListener("change", pressed);
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
  });
})();
