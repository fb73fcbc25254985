/* Rules of what a page shows, shared by validity.js, versions.js and search.js (loaded before them).
 *
 * Copies of Python rules, held to them by tests/test_page_rules_browser.py:
 *   peopleDate — gazette.labels.people_date: 2024-02-26 → 2024年2月26日 ('' for none);
 *   showFlag   — gazette.labels.flag_shown: a review flag is shown beside the status badge only when
 *                overdue or due soon (SHOWN_FLAGS).
 */
(function () {
  "use strict";

  var SHOWN_FLAGS = ["overdue", "due_soon"];

  function peopleDate(iso) {
    if (!iso) return "";
    var p = String(iso).slice(0, 10).split("-");
    return +p[0] + "年" + +p[1] + "月" + +p[2] + "日";
  }

  function showFlag(flag) {
    return SHOWN_FLAGS.indexOf(flag) >= 0;
  }

  window.gazetteRules = { peopleDate: peopleDate, showFlag: showFlag, SHOWN_FLAGS: SHOWN_FLAGS.slice() };
})();
