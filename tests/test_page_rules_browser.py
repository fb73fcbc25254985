"""theme/static/js/page-rules.js repeats two display rules of gazette/labels.py (dates for people,
which review flags are shown): the browser's copies give the same answers as Python's."""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.labels import FLAG_LABELS, SHOWN_FLAGS, flag_shown, people_date
from gazette.validity import FLAGS

pytestmark = pytest.mark.browser


def test_people_dates_and_shown_flags_match_the_python_rules(site_url, page):
    page.goto(site_url + "index.html")
    page.wait_for_function("() => window.gazetteRules")
    start = dt.date(1949, 10, 1)
    days = [start + dt.timedelta(days=n) for n in range(0, 80 * 366, 97)] + [dt.date(2024, 2, 29), dt.date(2000, 1, 1)]
    isos = [d.isoformat() for d in days] + ["", None, "2024-02-26T00:00:00"]
    got = page.evaluate("isos => isos.map(window.gazetteRules.peopleDate)", isos)
    assert got == [people_date(i) for i in isos]
    assert "2024年2月26日" in got and "2024年2月29日" in got
    flags = [*FLAGS, *FLAG_LABELS, "", None]
    shown = page.evaluate("flags => flags.map(window.gazetteRules.showFlag)", flags)
    assert shown == [flag_shown(f) for f in flags]
    assert page.evaluate("window.gazetteRules.SHOWN_FLAGS") == list(SHOWN_FLAGS)
