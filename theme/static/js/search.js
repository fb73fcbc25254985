/* Gazette search page over the gazette's own static index (gazette/search/browser_index.py),
 * read by search-worker.js with the rules of search-rules.js.
 *
 * The index holds character bigrams of Traditional→Simplified folded text, so a query is
 * folded with the same per-character table and cut into the same tokens; its words may be
 * typed in any order. Results are shown in the document's original characters: folding keeps
 * lengths, so offsets in the folded text are offsets in the original.
 *
 * window.gazetteSearch(query, filters) resolves to the ordered results this page displays.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var EXCERPT_CHARS = 90;
  var FILTER_KEYS = ["year", "issuer", "doc_type", "category", "status", "flag"];

  // -- where the site lives: pages may be served from any sub-path -----------------------
  function siteRoot() {
    var meta = document.querySelector('meta[name="gazette-root"]');
    var root = (meta && meta.getAttribute("content")) || ".";
    return new URL(root.replace(/\/*$/, "/"), document.baseURI);
  }
  var ROOT = siteRoot();

  function labels() {
    var el = document.getElementById("gazette-labels");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }
  var LABELS = labels();

  // -- normalisation and rules: search-rules.js (shared with the worker, held to Python) ------
  var R = window.gazetteSearchRules;
  var foldText = R.makeFold(null);
  var worker = null, pending = new Map(), nextId = 0;
  function call(op, args) {
    if (!worker) {
      worker = new Worker(new URL("theme/js/search-worker.js", ROOT));
      worker.addEventListener("message", function (ev) {
        var p = pending.get(ev.data.id);
        pending.delete(ev.data.id);
        if (p) { if (ev.data.ok) p.resolve(ev.data.value); else p.reject(new Error(ev.data.error)); }
      });
      worker.addEventListener("error", function (ev) {
        pending.forEach(function (p) { p.reject(new Error(ev.message || "search worker failed")); });
        pending.clear();
      });
    }
    return new Promise(function (resolve, reject) {
      var id = ++nextId;
      pending.set(id, { resolve: resolve, reject: reject });
      worker.postMessage({ id: id, op: op, args: args });
    });
  }
  // The folding table comes through the worker, which loads it for its own queries anyway.
  var foldReady = null;
  function ensureFold() {
    if (!foldReady) foldReady = call("fold", {}).then(function (table) { foldText = R.makeFold(table); });
    return foldReady;
  }

  function indexFilters(filters) {
    var out = {};
    FILTER_KEYS.forEach(function (key) {
      var v = filters && filters[key];
      if (v === undefined || v === null || v === "") return;
      var values = Array.isArray(v) ? v : [v];
      // Status and flag may be given as codes (in_force) or as the labels the index holds.
      if (key === "status" || key === "flag") {
        values = values.map(function (x) { return (LABELS[key] && LABELS[key][x]) || x; });
      }
      out[key] = values.map(String);
    });
    return out;
  }

  function resultUrl(url) {
    return new URL(url.replace(/^\/+/, ""), ROOT).href;
  }

  // -- what to mark: the longest pieces of the query found in the text, the number as written --
  function pieces(query, folded) {
    var out = [];
    R.runs(foldText(query)).forEach(function (run) {
      var chars = Array.from(run), i = 0;
      while (i < chars.length) {
        var j = i + 1, best = 0;
        while (j <= chars.length && folded.indexOf(chars.slice(i, j).join("")) !== -1) { best = j; j++; }
        if (best - i >= 2 || (best && (chars.length === 1 || run.charCodeAt(0) < 128))) {
          out.push(chars.slice(i, best).join(""));
          i = best;
        } else i++;
      }
    });
    // Lone characters and digits ("5", "号") would light up all over a text; only with nothing longer.
    var long = out.filter(function (r) { return Array.from(r).length > 1 && !/^\d+$/.test(r); });
    return long.length ? long : out;
  }

  function numberPattern(query) {
    var word = R.numberChars(foldText(query));
    var sep = "[^" + R.CJK + "0-9a-z]*";
    return new RegExp(Array.from(word).map(function (c) { return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join(sep), "gu");
  }

  function matchSpans(original, query) {
    var folded = foldText(original), spans = [];
    if (R.isNumberQuery(foldText(query))) {
      var re = numberPattern(query), m;
      while ((m = re.exec(folded))) { spans.push([m.index, m.index + m[0].length]); if (!m[0].length) re.lastIndex++; }
      // A number elsewhere in the text is not marked piece by piece (a year in a date is not it).
      return spans;
    }
    pieces(query, folded).forEach(function (run) {
      var from = 0, at;
      while (run && (at = folded.indexOf(run, from)) !== -1) { spans.push([at, at + run.length]); from = at + 1; }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push(s.slice());
    });
    return merged;
  }

  function excerptWindow(text, spans) {
    var start = 0;
    if (spans.length) {
      // Prefer the place where most of the query's parts meet.
      var best = spans[0], bestCount = 0;
      spans.forEach(function (s) {
        var count = spans.filter(function (o) { return o[0] >= s[0] && o[0] < s[0] + EXCERPT_CHARS / 2; })
          .reduce(function (n, o) { return n + (o[1] - o[0]); }, 0);
        if (count > bestCount) { best = s; bestCount = count; }
      });
      start = best[0];
    }
    start = Math.max(0, start - 20);
    var end = Math.min(text.length, start + EXCERPT_CHARS);
    return [start, end];
  }

  function render(text, spans, start, end) {
    var parts = [], pos = start;
    spans.forEach(function (s) {
      var a = Math.max(s[0], start), b = Math.min(s[1], end);
      if (b <= a || a < pos) return;
      parts.push({ text: text.slice(pos, a) }, { text: text.slice(a, b), mark: true });
      pos = b;
    });
    parts.push({ text: text.slice(pos, end) });
    return parts;
  }

  function partsToText(parts) { return parts.map(function (p) { return p.text; }).join(""); }

  function buildResult(e, query) {
    var text = (e.text || "").replace(/\s+/g, " ");
    var spans = matchSpans(text, query || "");
    var win = excerptWindow(text, spans);
    var excerptParts = render(text, spans, win[0], win[1]);
    if (win[0] > 0 || e.textStart) excerptParts.unshift({ text: "…" });
    if (win[1] < text.length || e.textMore) excerptParts.push({ text: "…" });
    var title = e.title || "";
    var titleParts = render(title, query ? matchSpans(title, query) : [], 0, title.length);
    return {
      url: resultUrl(e.url),
      title: title,
      excerpt: text ? partsToText(excerptParts) : "",
      status: e.kind === "issue" ? "" : e.status,
      statusLabel: e.kind === "issue" ? "" : e.statusLabel,
      flag: e.flag || "",
      flagLabel: e.flagLabel || "",
      number: e.number || "",
      issuer: e.issuer || "",
      date: e.date || "",
      script: e.script || "",
      kind: e.kind,
      match: e.match,
      onRequest: e.disclosure === "on_request",
      _titleParts: titleParts,
      _excerptParts: text ? excerptParts : []
    };
  }

  /* Search: resolves to {total, partial, results}; results in display order. */
  function runSearch(query, filters, offset, limit) {
    filters = filters || {};
    var f = indexFilters(filters);
    var inForce = filters.standing === "current";
    if (!(query || "").trim() && !Object.keys(f).length && !inForce) return Promise.resolve({ total: 0, results: [] });
    return Promise.all([ensureFold(), call("search", { query: query || "", filters: f, inForce: inForce, sort: filters.sort,
                                                       offset: offset || 0, limit: limit || PAGE_SIZE })])
      .then(function (out) {
        var res = out[1];
        return { total: res.total, partial: res.partial,
                 results: res.results.map(function (e) { return buildResult(e, query); }) };
      });
  }

  /* filters: {year, issuer, doc_type, category, status, flag} (codes or labels), standing
   * ("current": only documents in force now), sort ("date" or relevance) and limit (default: one
   * page, as displayed). Each result says how it matched (match: number, head_phrase, …, partial). */
  window.gazetteSearch = function (query, filters) {
    var limit = (filters && filters.limit) || PAGE_SIZE;
    return runSearch(query, filters, 0, limit).then(function (res) {
      return res.results.map(function (r) {
        return { url: r.url, title: r.title, excerpt: r.excerpt, status: r.status, number: r.number,
                 issuer: r.issuer, date: r.date, flag: r.flag, match: r.match, kind: r.kind };
      });
    });
  };

  // -- the page ---------------------------------------------------------------------------
  var form = document.getElementById("search-form");
  if (!form) return;
  var input = document.getElementById("search-q");
  var statusEl = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");
  var current = null;
  var nextPage = null;
  // Phones: the filters fold under their summary so that the results come first, and the summary
  // says how many are set. search.css decides where (--filters-fold); wider screens keep them open.
  var panel = document.getElementById("search-filters");
  var panelCount = panel && panel.querySelector(".search-filters-count");
  if (panel && getComputedStyle(panel).getPropertyValue("--filters-fold").trim() === "1") panel.open = false;
  moreButton.addEventListener("click", function () {
    moreButton.hidden = true;
    if (nextPage) nextPage();
  });

  function msg(name, fields) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(fields || {}).forEach(function (k) { text = text.replace("{" + k + "}", fields[k]); });
    return text;
  }

  var STATE_KEYS = FILTER_KEYS.concat(["standing", "sort"]);
  function stateFromUrl() {
    var params = new URLSearchParams(location.search), state = { q: params.get("q") || "", filters: {} };
    STATE_KEYS.forEach(function (k) { if (params.get(k)) state.filters[k] = params.get(k); });
    return state;
  }

  function stateFromForm() {
    var state = { q: input.value.trim(), filters: {} };
    STATE_KEYS.forEach(function (k) {
      var el = form.elements[k];
      var v = el && (el.type === "checkbox" ? (el.checked ? el.value : "") : el.value);
      if (v) state.filters[k] = v;
    });
    return state;
  }

  function urlFor(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    STATE_KEYS.forEach(function (k) { if (state.filters[k]) params.set(k, state.filters[k]); });
    var qs = params.toString();
    return location.pathname + (qs ? "?" + qs : "");
  }

  function fillForm(state) {
    input.value = state.q;
    fillSelects(state);
  }

  function fillSelects(state) {
    STATE_KEYS.forEach(function (k) {
      var el = form.elements[k];
      if (!el) return;
      var v = state.filters[k] || "";
      if (el.type === "checkbox") { el.checked = v === el.value; return; }
      if (v && !Array.from(el.options).some(function (o) { return o.value === v; })) {
        el.appendChild(new Option(v, v));
      }
      el.value = v;
    });
  }

  function populateFilters() {
    return call("filters", {}).then(function (all) {
      FILTER_KEYS.forEach(function (key) {
        var el = form.elements[key], values = all[key] || {};
        if (!el) return;
        var keys = Object.keys(values).sort(function (a, b) {
          return key === "year" ? b.localeCompare(a) : (values[b] - values[a]) || a.localeCompare(b, "zh");
        });
        keys.forEach(function (v) {
          if (!Array.from(el.options).some(function (o) { return o.value === v; })) {
            el.appendChild(new Option(v + "（" + values[v] + "）", v));
          }
        });
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendParts(node, parts) {
    parts.forEach(function (p) { node.appendChild(p.mark ? el("mark", null, p.text) : document.createTextNode(p.text)); });
  }

  function showResult(r) {
    var li = el("li", "search-result");
    var h = el("h2", "search-result-title");
    var a = el("a");
    a.href = r.url;
    if (r.script) a.lang = r.script;
    appendParts(a, r._titleParts);
    h.appendChild(a);
    li.appendChild(h);
    var meta = el("div", "doc-meta");
    if (r.number) {
      var n = el("span", "doc-number");
      if (r.match === "number") n.appendChild(el("mark", null, r.number)); else n.textContent = r.number;
      if (r.script) n.lang = r.script;
      meta.appendChild(n);
    }
    if (r.issuer) meta.appendChild(el("span", "doc-issuer", r.issuer));
    if (r.date) { var t = el("time", null, window.gazetteRules.peopleDate(r.date)); t.dateTime = r.date; meta.appendChild(t); }
    if (r.status) meta.appendChild(el("span", "badge status-" + r.status, r.statusLabel));
    if (window.gazetteRules.showFlag(r.flag)) meta.appendChild(el("span", "flag flag-" + r.flag, r.flagLabel));
    li.appendChild(meta);
    if (r.match === "partial") meta.appendChild(el("span", "badge search-partial", msg("partial-badge")));
    if (r.onRequest) {
      li.appendChild(el("p", "search-excerpt disclosure", msg("catalogue")));
    } else if (r._excerptParts.length) {
      var p = el("p", "search-excerpt");
      if (r.script) p.lang = r.script;
      appendParts(p, r._excerptParts);
      li.appendChild(p);
    }
    list.appendChild(li);
  }

  function countFilters(state) {
    var n = FILTER_KEYS.concat(["sort"]).filter(function (k) { return state.filters[k]; }).length;
    if (panelCount) panelCount.textContent = n ? msg("filters-set", { n: n }) : "";
  }

  function search(state) {
    countFilters(state);
    var token = {};
    current = token;
    list.textContent = "";
    moreButton.hidden = true;
    if (!state.q && !FILTER_KEYS.concat(["standing"]).some(function (k) { return state.filters[k]; })) {
      statusEl.textContent = msg("empty");
      return Promise.resolve();
    }
    statusEl.textContent = msg("loading");
    var shown = 0;
    function page() {
      return runSearch(state.q, state.filters, shown, PAGE_SIZE).then(function (res) {
        if (current !== token) return;
        res.results.forEach(showResult);
        shown += res.results.length;
        statusEl.textContent = res.partial ? msg("partial", { n: res.total })
          : res.total ? msg("found", { n: res.total }) : msg(state.filters.standing ? "none-current" : "none");
        moreButton.hidden = shown >= res.total;
        nextPage = page;
      });
    }
    return page().catch(function (e) {
      if (current === token) statusEl.textContent = msg("error", { error: e && e.message ? e.message : e });
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var state = stateFromForm();
    history.pushState(state, "", urlFor(state));
    search(state);
  });
  form.addEventListener("change", function (ev) {
    if (ev.target === input) return;
    var state = stateFromForm();
    history.pushState(state, "", urlFor(state));
    search(state);
  });
  window.addEventListener("popstate", function () {
    var state = stateFromUrl();
    fillForm(state);
    search(state);
  });

  var initial = stateFromUrl();
  fillForm(initial);
  // Options arrive later than the first results; select what the URL says by then.
  populateFilters().then(function () { fillSelects(stateFromUrl()); }, function () { /* filters stay at 不限 */ });
  window.gazetteSearchReady = search(initial);
})();
