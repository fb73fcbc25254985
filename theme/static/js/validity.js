/* Re-evaluates validity badges and banners against the reader's own date.
 *
 * A static page can stay online long after it was built: a document may have expired, come
 * into force or become overdue for review since. The page carries the dates that matter as
 * data attributes (including the day it ends and the day a newer version takes over, from
 * gazette/history.py); this script applies the same rules as gazette/validity.py (keep the two in
 * step) and rewrites the badge and the date-dependent banners (gazette/views.py banners_for)
 * when the reader's evaluation differs from the build's. Superseded / amended banners do not
 * depend on the date and are left alone.
 */
(function () {
  "use strict";

  var IN_FORCE = ["in_force", "amended"];
  var DATED_BANNERS = ["not_yet_effective", "repealed", "expired", "overdue", "due_soon"];
  var DAY_MS = 86400000;

  function isoToday() {
    var d = new Date();  // the reader's local calendar date
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function dayNumber(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS;
  }

  var rules = window.gazetteRules;  // page-rules.js: dates for people, which flags are shown
  var cnDate = rules.peopleDate;

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : m;
    });
  }

  /* ISO dates compare correctly as strings. */
  function evaluate(d, today) {
    var declared = d.declaredValidity || "in_force";
    var declaredEnd = declared === "repealed" || declared === "expired";
    var status;
    if (d.effective && d.effective > today) status = "not_yet_effective";
    else if (declaredEnd && !(d.endedOn && d.endedOn > today)) status = declared;
    else if (d.endStatus && d.endedOn && d.endedOn <= today) status = d.endStatus;
    else if (d.expires && d.expires < today) status = "expired";
    else if (declared === "not_yet_effective" && d.effective) status = "in_force";
    else status = declaredEnd ? "in_force" : declared;
    // an earlier version of a work is amended once a newer version takes over
    if (status === "in_force" && d.replacedOn && d.replacedOn <= today) status = "amended";

    var flag = "";
    if (d.underReview === "1" && d.reviewDue && IN_FORCE.indexOf(status) >= 0) {
      if (today > d.reviewDue) flag = "overdue";
      else if (dayNumber(d.reviewDue) - dayNumber(today) <= parseInt(d.dueSoonDays || "90", 10)) flag = "due_soon";
      else flag = "current";
    }
    return { status: status, flag: flag };
  }

  function banners(d, ev, L) {
    var out = [];
    var ended = d.endedOn ? fill(L.ended, { date: cnDate(d.endedOn), verb: d.endVerb || "" }) : "";
    if (ev.status === "expired") {
      out.push(["expired", d.expires && d.declaredValidity !== "expired" && !d.endStatus
        ? fill(L.expired, { date: cnDate(d.expires) }) : (ended || L.expired_nodate)]);
    } else if (ev.status === "repealed") {
      out.push(["repealed", ended || L.repealed]);
    } else if (ev.status === "not_yet_effective") {
      out.push(["not_yet_effective", d.effective
        ? fill(L.not_yet_effective, { date: cnDate(d.effective) }) : (L.not_yet_effective_nodate || "")]);
    }
    if (ev.flag === "overdue") {
      out.push(["overdue", (d.reviewed
        ? fill(L.overdue, { due: cnDate(d.reviewDue), reviewed: cnDate(d.reviewed) })
        : fill(L.overdue_never, { due: cnDate(d.reviewDue) })) + (d.overdueAdvice || "")]);
    } else if (ev.flag === "due_soon") {
      out.push(["due_soon", fill(L.due_soon, { due: cnDate(d.reviewDue) })]);
    }
    return out;
  }

  function updateBadge(badge, ev, labels) {
    badge.textContent = labels.status[ev.status] || ev.status;
    badge.className = "badge status-" + ev.status;
    // The review flag sits right after the badge, shown for overdue and due soon only.
    var next = badge.nextElementSibling;
    var flagEl = next && next.classList.contains("flag") ? next : null;
    if (rules.showFlag(ev.flag)) {
      if (!flagEl) {
        flagEl = document.createElement("span");
        badge.insertAdjacentElement("afterend", flagEl);
        badge.insertAdjacentText("afterend", " ");
      }
      flagEl.className = "flag flag-" + ev.flag;
      flagEl.textContent = labels.flag[ev.flag];
    } else if (flagEl) {
      flagEl.remove();
    }
  }

  function updateBanners(container, d, ev, labels) {
    DATED_BANNERS.forEach(function (kind) {
      container.querySelectorAll(".banner-" + kind).forEach(function (el) { el.remove(); });
    });
    var first = container.firstElementChild;
    banners(d, ev, labels.banner).forEach(function (b) {
      var p = document.createElement("p");
      p.className = "banner banner-" + b[0];
      p.setAttribute("role", "status");
      p.textContent = b[1];
      container.insertBefore(p, first);
    });
  }

  /* Re-evaluate one element carrying the data attributes; true when something changed. */
  function refresh(holder, today, labels) {
    var d = holder.dataset;
    if (!d.status) return false;
    // A reader's clock behind the build (or a build with a future as-of) keeps the build's view.
    if (d.asOf && today <= d.asOf) return false;
    var ev = evaluate(d, today);
    holder.setAttribute("data-reader-date", today);
    if (ev.status === d.status && ev.flag === (d.flag || "")) return false;
    var badges = holder.hasAttribute("data-validity-badge") ? [holder]
      : holder.querySelectorAll("[data-validity-badge]:not([data-status])");
    badges.forEach(function (b) { updateBadge(b, ev, labels); });
    holder.querySelectorAll("[data-validity-label]").forEach(function (el) {
      el.textContent = labels.status[ev.status] || ev.status;
    });
    var container = holder.querySelector("[data-validity-banners]");
    if (container) updateBanners(container, d, ev, labels);
    holder.setAttribute("data-status", ev.status);
    holder.setAttribute("data-flag", ev.flag);
    return true;
  }

  /* The page's label tables (gazette/labels.py all_labels), or null. */
  function readLabels() {
    var node = document.getElementById("gazette-labels");
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function run(today) {
    var labels = readLabels();
    if (!labels) return;
    today = today || isoToday();
    document.querySelectorAll("article.doc[data-status], [data-validity-badge][data-status]").forEach(
      function (holder) { refresh(holder, today, labels); });
  }

  // The date helpers, shared with versions.js (loaded after this script).
  window.gazetteValidity = { evaluate: evaluate, run: run,
                             readLabels: readLabels,
                             dates: { isoToday: isoToday, pad: pad, dayNumber: dayNumber, cnDate: cnDate, fill: fill } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { run(); });
  else run();
})();
