/* Which version of a work applies on the reader's own date.
 *
 * A version's page (and a work's page) lists every version with the day it starts and the day
 * it stops applying (data-start, data-end: the next version's start, or the work's ending), and
 * carries the build's notice. A page can stay online long after it was built: a newer version
 * may have taken effect since. This script applies the same rule as gazette/history.py
 * (Work.version_on, version_notice; keep the two in step: tests/test_time_browser.py) and
 * rewrites the notice and the link to the current version when the reader's answer differs.
 */
(function () {
  "use strict";

  // Date helpers from validity.js, which every page loads before this script.
  var dates = window.gazetteValidity && window.gazetteValidity.dates;
  if (!dates) return;
  var pad = dates.pad, isoToday = dates.isoToday, cnDate = dates.cnDate, fill = dates.fill;
  var DAY_MS = 86400000;

  function dayBefore(iso) {
    var d = new Date((dates.dayNumber(iso) - 1) * DAY_MS);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }

  /* versions: [{slug, title, start, end}] ordered by start; ISO dates compare as strings. */
  function versionOn(versions, day) {
    for (var i = versions.length - 1; i >= 0; i--) {
      var v = versions[i];
      if (v.start <= day) return (!v.end || day < v.end) ? v : null;
    }
    return null;
  }

  function notice(versions, thisSlug, day, L, endVerb) {
    var parts = [];
    var mine = null;
    versions.forEach(function (v) { if (v.slug === thisSlug) mine = v; });
    if (mine) {
      if (mine.start > day) parts.push(fill(L.span_future, { start: cnDate(mine.start) }));
      else if (mine.end) parts.push(fill(L.span_closed, { start: cnDate(mine.start), end: cnDate(dayBefore(mine.end)) }));
      else parts.push(fill(L.span_open, { start: cnDate(mine.start) }));
    }
    var now = versionOn(versions, day);
    if (now && mine && now.slug === mine.slug) return { current: now.slug, text: parts[0] + L.is_current };
    if (now) {
      parts.push(L.current + now.title);
      return { current: now.slug, text: parts.join(" · ") };
    }
    if (day < versions[0].start) {
      parts.push(fill(L.none_yet, { start: cnDate(versions[0].start) }));
    } else {
      var last = null;
      versions.forEach(function (v) { if (v.start <= day) last = v; });
      parts.push(fill(L.ended, { date: cnDate(last.end), verb: endVerb || "废止" }));
    }
    return { current: "", text: parts.join(" · ") };
  }

  function read(section) {
    return Array.prototype.map.call(section.querySelectorAll("li[data-version]"), function (li) {
      var title = li.querySelector("a, strong");
      return { slug: li.dataset.version, title: title ? title.textContent : "", start: li.dataset.start,
               end: li.dataset.end || "", el: li };
    });
  }

  function refresh(section, today, L) {
    var d = section.dataset;
    if (d.asOf && today <= d.asOf) return false;  // a clock behind the build keeps the build's view
    var versions = read(section);
    if (!versions.length) return false;
    var got = notice(versions, d.this || "", today, L, d.workEndVerb);
    section.setAttribute("data-reader-date", today);
    var text = section.querySelector("[data-version-text]");
    if (text) text.textContent = got.text;
    var noticeEl = section.querySelector("[data-version-notice]");
    var link = section.querySelector("[data-version-link]");
    var target = null;
    versions.forEach(function (v) {
      var isCurrent = v.slug === got.current;
      if (isCurrent) target = v;
      var mark = v.el.querySelector("[data-current-mark]");
      if (isCurrent && !mark) {
        mark = document.createElement("span");
        mark.className = "version-current";
        mark.setAttribute("data-current-mark", "");
        mark.textContent = L.current_mark;
        v.el.appendChild(document.createTextNode(" "));
        v.el.appendChild(mark);
      } else if (!isCurrent && mark) {
        mark.remove();
      }
      if (isCurrent) v.el.setAttribute("data-current", ""); else v.el.removeAttribute("data-current");
    });
    var href = target && target.slug !== (d.this || "") ? target.el.querySelector("a") : null;
    if (href && noticeEl) {
      if (!link) {
        link = document.createElement("a");
        link.setAttribute("data-version-link", "");
        link.textContent = L.read_current;
        noticeEl.appendChild(document.createTextNode(" "));
        noticeEl.appendChild(link);
      }
      link.setAttribute("href", href.getAttribute("href"));
      link.setAttribute("lang", href.getAttribute("lang") || "");
    } else if (link) {
      link.remove();
    }
    return true;
  }

  function run(today) {
    var labels = window.gazetteValidity.readLabels();
    if (!labels || !labels.version) return;
    today = today || isoToday();
    document.querySelectorAll("[data-versions]").forEach(function (s) { refresh(s, today, labels.version); });
  }

  window.gazetteVersions = { versionOn: versionOn, notice: notice, run: run };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { run(); });
  else run();
})();
