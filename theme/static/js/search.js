/* Gazette search page: Pagefind over the gazette's own tokens (see gazette/search/normalise.py).
 *
 * The index holds character bigrams of Traditional→Simplified folded text, so a query is
 * folded with the same per-character table (pagefind/gazette-fold.json) and cut into the
 * same tokens. Results are shown in the document's original characters: folding keeps
 * lengths, so offsets in the folded text are offsets in the original.
 *
 * window.gazetteSearch(query, filters) resolves to the ordered results this page displays.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 20;
  var EXCERPT_CHARS = 90;
  var FILTER_KEYS = ["year", "issuer", "doc_type", "category", "status", "flag"];
  var CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2a6df}";
  var TOKEN_RE = new RegExp("[" + CJK + "]+|[0-9a-z]+", "gu");

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

  // -- normalisation, mirroring gazette/search/normalise.py -------------------------------
  var foldMap = null;
  var foldReady = fetch(new URL("pagefind/gazette-fold.json", ROOT)).then(function (r) {
    if (!r.ok) throw new Error("gazette-fold.json " + r.status);
    return r.json();
  }).then(function (data) {
    var from = Array.from(data.from), to = Array.from(data.to);
    foldMap = new Map();
    for (var i = 0; i < from.length; i++) foldMap.set(from[i], to[i]);
  });

  function foldChar(ch) {
    var c = ch.codePointAt(0);
    if (c >= 0xff01 && c <= 0xff5e) return String.fromCodePoint(c - 0xfee0).toLowerCase();
    if (c === 0x3000) return " ";
    if (c >= 0x41 && c <= 0x5a) return ch.toLowerCase();
    return (foldMap && foldMap.get(ch)) || ch;
  }

  function foldText(text) {
    var out = "";
    for (var ch of text) out += foldChar(ch);
    return out;
  }

  /* Tokens with offsets (UTF-16) into the text: bigram per CJK character, last one alone. */
  function tokens(text) {
    var folded = foldText(text), out = [], m;
    TOKEN_RE.lastIndex = 0;
    while ((m = TOKEN_RE.exec(folded))) {
      var run = m[0];
      if (run.charCodeAt(0) < 128) { out.push({ t: run, at: m.index, len: run.length }); continue; }
      var chars = Array.from(run), at = m.index;
      for (var i = 0; i < chars.length; i++) {
        out.push({ t: chars[i] + (chars[i + 1] || ""), at: at, len: chars[i].length });
        at += chars[i].length;
      }
    }
    return out;
  }

  /* A query's tokens: a longer CJK run drops its lone last character. */
  function queryTokens(text) {
    var folded = foldText(text), out = [], m;
    TOKEN_RE.lastIndex = 0;
    while ((m = TOKEN_RE.exec(folded))) {
      var chars = Array.from(m[0]);
      if (m[0].charCodeAt(0) < 128 || chars.length === 1) { out.push(m[0]); continue; }
      for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    }
    return out;
  }

  /* A document number as one index word (normalise.number_word): folded, punctuation dropped. */
  var NOT_TOKEN_RE = new RegExp("[^" + CJK + "0-9a-z]+", "gu");
  function numberWord(text) { return foldText(text).replace(NOT_TOKEN_RE, ""); }
  function isNumberQuery(text) { var w = numberWord(text); return /\d+号$/.test(w) && Array.from(w).length >= 4; }

  /* The folded runs of a query, for highlighting: 臨政告〔2021〕5號 → 临政告, 2021, 5, 号. */
  function queryRuns(text) {
    var runs = (foldText(text).match(TOKEN_RE) || []).filter(function (r, i, all) { return all.indexOf(r) === i; });
    // Lone characters and digits ("5", "号") would light up all over a text; mark them only
    // when the query has nothing longer.
    var long = runs.filter(function (r) { return Array.from(r).length > 1; });
    return long.length ? long : runs;
  }

  // -- Pagefind ---------------------------------------------------------------------------
  var worker = null, pending = new Map(), nextId = 0;
  function call(op, args) {
    if (!worker) {
      worker = new Worker(new URL("theme/js/search-worker.js", ROOT), { type: "module" });
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

  function pagefindFilters(filters) {
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

  // -- excerpts: a window of the original text around the matches, matches marked ----------
  function matchSpans(original, runs) {
    var folded = foldText(original), spans = [];
    runs.forEach(function (run) {
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

  function excerptWindow(text, spans, query) {
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
    } else if (query) {
      // Every part of the query is in the document, but not side by side: start where the first one is.
      var wanted = {};
      tokens(query).forEach(function (q) { wanted[q.t] = true; });
      tokens(text).some(function (t) { if (wanted[t.t]) start = t.at; return wanted[t.t]; });
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

  function buildResult(data, query) {
    var meta = data.meta || {};
    var runs = queryRuns(query || "");
    var text = (meta.text || "").replace(/\s+/g, " ");
    var spans = matchSpans(text, runs);
    var win = excerptWindow(text, spans, query);
    var excerptParts = render(text, spans, win[0], win[1]);
    if (win[0] > 0) excerptParts.unshift({ text: "…" });
    if (win[1] < text.length) excerptParts.push({ text: "…" });
    var title = meta.title || "";
    var titleParts = render(title, matchSpans(title, runs), 0, title.length);
    return {
      url: resultUrl(data.url),
      title: title,
      excerpt: text ? partsToText(excerptParts) : "",
      status: meta.status || "",
      statusLabel: meta.status_label || "",
      flag: meta.flag || "",
      flagLabel: meta.flag_label || "",
      number: meta.number || "",
      issuer: meta.issuer || "",
      date: meta.date || "",
      script: meta.script || "",
      onRequest: meta.disclosure === "on_request",
      _titleParts: titleParts,
      _excerptParts: text ? excerptParts : []
    };
  }

  /* Listing by filters alone uses the small catalogue: a filter-only Pagefind search would
   * download every chunk of the index. Newest first. */
  var catalogue = null;
  function listByFilters(filters, sort, offset, limit) {
    if (!catalogue) {
      catalogue = fetch(new URL("pagefind/gazette-catalogue.json", ROOT)).then(function (r) {
        if (!r.ok) throw new Error("gazette-catalogue.json " + r.status);
        return r.json();
      });
    }
    return catalogue.then(function (entries) {
      var keys = Object.keys(filters);
      var hits = entries.filter(function (e) {
        return keys.every(function (k) {
          return (e.filters[k] || []).some(function (v) { return filters[k].indexOf(v) !== -1; });
        });
      });
      return { total: hits.length, results: hits.slice(offset, offset + limit).map(function (e) {
        return buildResult({ url: e.url, meta: e.meta }, "");
      }) };
    });
  }

  /* Search: resolves to {total, results}; results in display order. */
  function runSearch(query, filters, offset, limit) {
    filters = filters || {};
    var options = { filters: pagefindFilters(filters) };
    if (filters.sort === "date") options.sort = { date: "desc" };
    return foldReady.then(function () {
      // Fold once the table is loaded (the first call may have raced it).
      var words = queryTokens(query || "");
      var required = words.slice();
      // A whole document number also asks for its number word, which ranks the document
      // bearing that number first; it is not required (other documents may cite the number).
      if (isNumberQuery(query || "")) words.push(numberWord(query));
      if (!words.length) {
        if (!Object.keys(options.filters).length) return { total: 0, results: [] };
        return listByFilters(options.filters, filters.sort, offset || 0, limit || PAGE_SIZE);
      }
      var term = words.join(" ");
      return call("search", { term: term, required: required, options: options,
                              offset: offset || 0, limit: limit || PAGE_SIZE })
        .then(function (res) {
          return { total: res.total, results: res.datas.map(function (d) { return buildResult(d, query); }) };
        });
    });
  }

  /* filters: {year, issuer, doc_type, category, status, flag} (codes or labels), plus
   * sort ("date" or relevance) and limit (default: one page, as displayed). */
  window.gazetteSearch = function (query, filters) {
    var limit = (filters && filters.limit) || PAGE_SIZE;
    return runSearch(query, filters, 0, limit).then(function (res) {
      return res.results.map(function (r) {
        return { url: r.url, title: r.title, excerpt: r.excerpt, status: r.status, number: r.number,
                 issuer: r.issuer, date: r.date, flag: r.flag };
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
  moreButton.addEventListener("click", function () {
    moreButton.hidden = true;
    if (nextPage) nextPage();
  });

  function msg(name, fields) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(fields || {}).forEach(function (k) { text = text.replace("{" + k + "}", fields[k]); });
    return text;
  }

  function stateFromUrl() {
    var params = new URLSearchParams(location.search), state = { q: params.get("q") || "", filters: {} };
    FILTER_KEYS.concat(["sort"]).forEach(function (k) { if (params.get(k)) state.filters[k] = params.get(k); });
    return state;
  }

  function stateFromForm() {
    var state = { q: input.value.trim(), filters: {} };
    FILTER_KEYS.concat(["sort"]).forEach(function (k) {
      var el = form.elements[k];
      if (el && el.value) state.filters[k] = el.value;
    });
    return state;
  }

  function urlFor(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    FILTER_KEYS.concat(["sort"]).forEach(function (k) { if (state.filters[k]) params.set(k, state.filters[k]); });
    var qs = params.toString();
    return location.pathname + (qs ? "?" + qs : "");
  }

  function fillForm(state) {
    input.value = state.q;
    fillSelects(state);
  }

  function fillSelects(state) {
    FILTER_KEYS.concat(["sort"]).forEach(function (k) {
      var el = form.elements[k];
      if (!el) return;
      var v = state.filters[k] || "";
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
    if (r.number) { var n = el("span", "doc-number", r.number); if (r.script) n.lang = r.script; meta.appendChild(n); }
    if (r.issuer) meta.appendChild(el("span", "doc-issuer", r.issuer));
    if (r.date) { var t = el("time", null, window.gazetteRules.peopleDate(r.date)); t.dateTime = r.date; meta.appendChild(t); }
    if (r.status) meta.appendChild(el("span", "badge status-" + r.status, r.statusLabel));
    if (window.gazetteRules.showFlag(r.flag)) meta.appendChild(el("span", "flag flag-" + r.flag, r.flagLabel));
    li.appendChild(meta);
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

  function search(state) {
    var token = {};
    current = token;
    list.textContent = "";
    moreButton.hidden = true;
    if (!state.q && !FILTER_KEYS.some(function (k) { return state.filters[k]; })) {
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
        statusEl.textContent = res.total ? msg("found", { n: res.total }) : msg("none");
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
