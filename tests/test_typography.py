"""gazette.typography: units kept on one line and titles without an orphan, text unchanged."""

from __future__ import annotations

import re

import pytest

from gazette.typography import keep_each, keep_units, no_orphan


def text_of(markup) -> str:
    return re.sub(r"<[^>]+>", "", str(markup))


def kept(markup) -> list[str]:
    return re.findall(r'<span class="nw">([^<]*)</span>', str(markup))


@pytest.mark.parametrize("text, units", [
    ("本文件已于2024年5月20日废止。", ["2024年5月20日"]),
    ("临澜市人民政府公报 2024年第1期", ["2024年第1期"]),
    ("依据临市监规〔2026〕1号、國辦發〔2017〕21號执行", ["临市监规〔2026〕1号", "國辦發〔2017〕21號"]),
    ("见第12-15页", ["第12-15页"]),
    ("临澜市人民政府令第12号", ["令第12号"]),
    ("没有需要保留的单位", []),
])
def test_keep_units_wraps_dates_issue_names_numbers_and_pages(text, units):
    out = keep_units(text)
    assert kept(out) == units
    assert text_of(out) == text


def test_keep_units_escapes_what_it_does_not_wrap():
    out = keep_units("<b>2024年5月20日</b> & 其他")
    assert "<b>" not in str(out) and "&amp;" in str(out)
    assert kept(out) == ["2024年5月20日"]


@pytest.mark.parametrize("title, tail", [
    ("临澜市电动自行车管理规定", "规定"),
    ("关于修改《临澜市城市绿化管理办法》的决定", "决定"),
    ("关于创办《临澜市人民政府公报》", "公报》"),  # closing punctuation goes with the characters before it
    ("临澜市人民政府公报 2024年第1期", "2024年第1期"),  # never cut into a unit
])
def test_no_orphan_keeps_the_last_characters_together(title, tail):
    out = no_orphan(title)
    assert text_of(out) == title
    assert text_of(re.search(r'<span class="nw">(.*)</span>$', str(out)).group(1)) == tail


def test_no_orphan_leaves_short_and_empty_titles_alone():
    assert str(no_orphan("通知")) == "通知"
    assert str(no_orphan("")) == "" and str(no_orphan(None)) == ""


def test_keep_each_breaks_only_between_names():
    out = keep_each(["临澜市教育局", "临澜市发展和改革委员会", "<局>"])
    assert kept(out) == ["临澜市教育局", "临澜市发展和改革委员会", "&lt;局&gt;"]
    assert text_of(out) == "临澜市教育局；临澜市发展和改革委员会；&lt;局&gt;"
    assert str(keep_each([])) == ""
