/* Search rules shared by the search page, its worker and (through tests/test_search_rules.py, in
 * node) held to gazette/search/ranking.py and gazette/search/normalise.py:
 *
 *   queryPlan  — the query's terms (normalise.query_tokens: bigrams of folded CJK runs, a lone
 *                character alone, ASCII runs) and, for each CJK run, which bigram covers which character;
 *   coverage   — words in any order, no dictionary: a record matches fully when every character of
 *                the query is covered by one of its bigrams present in the record (养犬规定 matches
 *                临澜市养犬管理规定 by 养犬 and 规定; 犬规, where the words meet, need not be there);
 *   features   — what the index says of a record (phrase judged from the junction bigrams);
 *   tier       — number (the record's own 文号) > head phrase (every term, junctions too, in the
 *                title, number or metadata) > head words > body phrase > words anywhere > partial;
 *   standing   — in force and current first, then amended / not yet effective, then the rest;
 *   phrase     — ranking.phrase_key / phrase_seen: whether a text holds the query as a phrase (the
 *                worker checks body-phrase candidates, PHRASE_CHECKS at a time, in the text blocks it can be in);
 *   valueTerm  — ranking.value_term: the query as one of a record's values (发文机关, 文种, 主题分类,
 *                索引号, an issue's name), whose records come first in their tier;
 *   compare    — tier, value exact, phrase seen, a title holding every word, standing, covered share,
 *                shorter title, newer record.
 *
 * Loaded as a classic script by the page, by importScripts in the worker and by require in node.
 */
(function (root) {
  "use strict";

  var CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2a6df}";
  var TOKEN_RE = new RegExp("[" + CJK + "]+|[0-9a-z]+", "gu");
  var NOT_TOKEN_RE = new RegExp("[^" + CJK + "0-9a-z]+", "gu");
  var TIERS = ["", "partial", "words", "body_phrase", "head_words", "head_phrase", "number"];
  var MAX_TERMS = 31;
  var PHRASE_CHECKS = 20;  // ranking.PHRASE_CHECKS
  var PHRASE_ROUNDS = 3;  // ranking.PHRASE_ROUNDS
  var PHRASE_BLOCKS = 6;  // ranking.PHRASE_BLOCKS
  var PHRASE_BUDGET = 120000;  // ranking.PHRASE_BUDGET
  var SPACED_RE = new RegExp("(?<=[" + CJK + "])\\s+(?=[" + CJK + "])", "gu");

  /* foldChar for a table {from, to} (two strings of equal length in characters). */
  function makeFold(table) {
    var map = new Map();
    if (table) {
      var from = Array.from(table.from), to = Array.from(table.to);
      for (var i = 0; i < from.length; i++) map.set(from[i], to[i]);
    }
    return function foldText(text) {
      var out = "";
      for (var ch of String(text || "")) {
        var c = ch.codePointAt(0);
        if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0).toLowerCase();
        else if (c === 0x3000) out += " ";
        else if (c >= 0x41 && c <= 0x5a) out += ch.toLowerCase();
        else out += map.get(ch) || ch;
      }
      return out;
    };
  }

  function runs(folded) {
    TOKEN_RE.lastIndex = 0;
    return folded.match(TOKEN_RE) || [];
  }

  /* {terms: [...], groups: [{chars, bigrams: [term index per adjacent pair]} | {single: term index}]} */
  function queryPlan(folded) {
    var terms = [], groups = [];
    function termIndex(t) {
      var at = terms.indexOf(t);
      if (at < 0 && terms.length < MAX_TERMS) { terms.push(t); at = terms.length - 1; }
      return at;
    }
    runs(folded).forEach(function (run) {
      var chars = Array.from(run);
      if (run.charCodeAt(0) < 128 || chars.length === 1) {
        var s = termIndex(run);
        if (s >= 0) groups.push({ single: s });
        return;
      }
      var bigrams = [];
      for (var i = 0; i + 1 < chars.length; i++) bigrams.push(termIndex(chars[i] + chars[i + 1]));
      if (bigrams.every(function (b) { return b >= 0; })) groups.push({ chars: chars.length, bigrams: bigrams });
    });
    return { terms: terms, groups: groups };
  }

  /* bits: which plan terms the record holds (bit i = terms[i]). → {full, fraction} */
  function coverage(plan, bits) {
    var covered = 0, units = 0;
    function has(i) { return (bits >>> i) & 1; }
    plan.groups.forEach(function (g) {
      if (g.single !== undefined) { units += 1; covered += has(g.single); return; }
      var b = g.bigrams;
      for (var j = 0; j < g.chars; j++) {
        units += 1;
        if ((j > 0 && has(b[j - 1])) || (j < b.length && has(b[j]))) covered += 1;
      }
    });
    return { full: units > 0 && covered === units, fraction: units ? covered / units : 0 };
  }

  function allBits(plan) { return plan.terms.length >= 32 ? 0xffffffff : (Math.pow(2, plan.terms.length) - 1); }

  /* What the index tells of one record: its own number matched, which terms its head and its
   * text hold. Phrase is judged from the junction bigrams (no positions in the index): every
   * query term present. → the features ranking.py's tier and sort_key take. */
  function features(plan, numberExact, headBits, bodyBits, titleBits) {
    var all = allBits(plan), any = coverage(plan, (headBits | bodyBits) >>> 0);
    return {
      titleFull: coverage(plan, titleBits >>> 0).full,
      numberExact: !!numberExact,
      headPhrase: plan.terms.length > 0 && ((headBits & all) >>> 0) === all,
      headFull: coverage(plan, headBits).full,
      bodyPhrase: plan.terms.length > 0 && ((bodyBits & all) >>> 0) === all,
      full: any.full,
      fraction: any.fraction
    };
  }

  /* ranking.phrase_key: the runs of a folded text between bars, whitespace between CJK characters dropped. */
  function phraseKey(folded) {
    return "|" + runs(String(folded || "").replace(SPACED_RE, "")).join("|") + "|";
  }

  /* ranking.value_term, for a folded text ("" when it has no runs). */
  function valueTerm(folded) {
    var key = phraseKey(folded);
    return key === "||" ? "" : "=" + key;
  }

  /* ranking._query_phrase: a bar only beside an ASCII/digit run at either end. */
  function queryPhrase(folded) {
    var r = runs(String(folded || "").replace(SPACED_RE, ""));
    if (!r.length) return "";
    var key = r.join("|");
    if (r[0].charCodeAt(0) < 128) key = "|" + key;
    if (r[r.length - 1].charCodeAt(0) < 128) key += "|";
    return key;
  }

  /* ranking.phrase_seen, for the query's folded text and a text's folded text. */
  function phraseSeen(foldedQuery, foldedText) {
    var q = queryPhrase(foldedQuery);
    return !!q && phraseKey(foldedText).indexOf(q) >= 0;
  }

  /* How much of a text block's end a phrase running on into the next block can need: its own
   * characters and what may come between them (spaces, line breaks, punctuation). */
  function phraseOverlap(foldedQuery) { return 2 * String(foldedQuery || "").length + 64; }

  /* ranking.needs_phrase_check: several terms, not typed as words apart. */
  var SPACED_ONE = new RegExp("[" + CJK + "]\\s+[" + CJK + "]", "u");
  function needsPhraseCheck(plan, folded) { return plan.terms.length > 1 && !SPACED_ONE.test(String(folded || "")); }

  /* ranking.tier: 6 number, 5 head phrase, 4 head words, 3 body phrase, 2 words, 1 partial, 0 none. */
  function tier(f) {
    if (f.numberExact) return 6;
    if (f.headPhrase) return 5;
    if (f.headFull) return 4;
    if (f.bodyPhrase) return 3;
    if (f.full) return 2;
    return f.fraction > 0 ? 1 : 0;
  }

  /* ranking.standing */
  function standing(status, current) {
    if (!current) return 2;
    if (status === "in_force") return 0;
    if (status === "amended" || status === "not_yet_effective") return 1;
    return 2;
  }

  /* ranking.in_force_now: 只看现行有效. */
  function inForceNow(status, current, kind) {
    return kind === "document" && !!current && (status === "in_force" || status === "amended");
  }

  /* ranking.sort_key. a, b: {tier, valueExact, phraseSeen, titleFull, standing, fraction, titleLen, id};
   * negative when a ranks first. Within a tier the query being one of the record's values, the phrase
   * seen in the text, then a title holding every word
   * (above one holding some, a 文种 or subject the rest), then standing.
   * Record ids follow (date, slug descending), so a higher id is a newer date, then the smaller slug. */
  function compare(a, b) {
    return (b.tier - a.tier) || ((b.valueExact ? 1 : 0) - (a.valueExact ? 1 : 0)) ||
      ((b.phraseSeen ? 1 : 0) - (a.phraseSeen ? 1 : 0)) ||
      ((b.titleFull ? 1 : 0) - (a.titleFull ? 1 : 0)) || (a.standing - b.standing) ||
      (b.fraction - a.fraction) ||
      (a.titleLen - b.titleLen) || (b.id - a.id);
  }

  /* textrules.chinese_number: 二〇二三 → 2023 (digit by digit), 三十 → 30, 一百零五 → 105; 656 → 656; null. */
  var CN_DIGITS = { "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
  var CN_UNITS = { "十": 10, "百": 100, "千": 1000 };
  function chineseNumber(s) {
    var chars = Array.from(s);
    if (!chars.length || chars.length > 18) return null;
    if (/^\d+$/.test(s)) return BigInt(s).toString();
    var total = 0, cur = 0, units = chars.some(function (c) { return CN_UNITS[c]; });
    if (!units) {
      var digits = "";
      for (var c of chars) { if (CN_DIGITS[c] === undefined) return null; digits += CN_DIGITS[c]; }
      return BigInt(digits).toString();
    }
    for (var ch of chars) {
      if (CN_DIGITS[ch] !== undefined) cur = CN_DIGITS[ch];
      else if (CN_UNITS[ch]) { total += (cur || 1) * CN_UNITS[ch]; cur = 0; }
      else return null;
    }
    return String(total + cur);
  }

  /* normalise.number_word: punctuation dropped, the serial in Arabic numerals without leading zeros,
   * no 第 before it nor 年 after its year (〔2023〕第3号, 2023年3号, 令第三十号 → …20233号, …令30号). */
  var SERIAL_END_RE = /(?:(?<=[0-9]{4})\s*年)?\s*第?\s*([0-9〇零一二三四五六七八九十百千]+)\s*号\s*$/u;
  function numberWord(folded) {
    var m = SERIAL_END_RE.exec(folded), serial = m ? chineseNumber(m[1]) : null;
    if (serial !== null) folded = folded.slice(0, m.index) + "|" + serial + "号";
    return folded.replace(NOT_TOKEN_RE, "");
  }
  /* The number's characters as typed (what the page marks in an excerpt). */
  function numberChars(folded) { return folded.replace(NOT_TOKEN_RE, ""); }
  function isNumberQuery(folded) { var w = numberWord(folded); return /\d+号$/.test(w) && Array.from(w).length >= 4; }

  var rules = { makeFold: makeFold, runs: runs, queryPlan: queryPlan, coverage: coverage, features: features, tier: tier,
                standing: standing, inForceNow: inForceNow, compare: compare, numberWord: numberWord, numberChars: numberChars, chineseNumber: chineseNumber, isNumberQuery: isNumberQuery,
                phraseKey: phraseKey, valueTerm: valueTerm, queryPhrase: queryPhrase, phraseSeen: phraseSeen, needsPhraseCheck: needsPhraseCheck,
                PHRASE_CHECKS: PHRASE_CHECKS, PHRASE_ROUNDS: PHRASE_ROUNDS, PHRASE_BLOCKS: PHRASE_BLOCKS, PHRASE_BUDGET: PHRASE_BUDGET, phraseOverlap: phraseOverlap, TIERS: TIERS, CJK: CJK };
  if (typeof module !== "undefined" && module.exports) module.exports = rules;
  else root.gazetteSearchRules = rules;
})(typeof self !== "undefined" ? self : this);
