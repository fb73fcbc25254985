"""Text rules written once (gazette/textrules.py): full-width digits, the brackets of a document
number's year, one spelling for a number; read alike by the archive, publishing and the importer."""

from __future__ import annotations

import os
import re

import pytest

from gazette.importer.recognise import find_doc_numbers
from gazette.importer.writer import document_slug
from gazette.publishing.links import eli_parts
from gazette.textrules import (CLOSE_BRACKETS, OPEN_BRACKETS, doc_number_parts, doc_number_serial,
                               halfwidth_digits, normalise_doc_number)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPELLINGS = ["临政规〔2023〕3号", "臨政規〔2023〕3號", "临政规[2023]3号", "临政规［２０２３］３号", "临政规(2023)3号",
             "临政规（2023）3号", "临政规【2023】3号", "临政规 〔2023〕 3号", "临政规｛2023｝3号"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_number_is_one_number(spelling):
    assert normalise_doc_number(spelling) == normalise_doc_number("临政规〔2023〕3号") == "临政规[2023]3号"
    assert doc_number_parts(spelling)[1:] == ("2023", "3")
    assert eli_parts(spelling) == ("临政规", "2023", "3")


def test_parts_and_serial_read_full_width_digits_and_reject_other_shapes():
    assert halfwidth_digits("２０１７年１月６日") == "2017年1月6日"
    assert doc_number_parts("国发〔２０１６〕第０８号") == ("国发", "2016", "8")
    assert doc_number_parts("国务院令第656号") is None and doc_number_parts(None) is None
    assert doc_number_serial("临政规〔2023〕１２号") == "12" and doc_number_serial("无号") is None
    assert document_slug("x", "2023-05-04", "临政规〔2023〕１２号").startswith("2023-no12-")


def test_the_importer_finds_numbers_in_the_same_brackets():
    for spelling in SPELLINGS[:7]:
        assert find_doc_numbers(f"根据{spelling}，现通知如下")


def test_no_module_keeps_its_own_digit_table_or_bracket_set():
    """The rule lives in gazette/textrules.py (search keeps its own copies for the browser: issue 16)."""
    own = re.compile("０１２３４５６７８９|0xFF10|\\[〔\\\\\\[［|〔\\\\\\[［\\(（")
    offenders = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "gazette")):
        if os.sep + "search" in dirpath:
            continue
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith(".py") and name != "textrules.py":
                with open(path, encoding="utf-8") as f:
                    if own.search(f.read()):
                        offenders.append(os.path.relpath(path, ROOT))
    assert not offenders
    assert len(OPEN_BRACKETS) == len(CLOSE_BRACKETS)


def test_chinese_numerals_are_written_as_mastheads_write_them_and_read_back():
    from gazette.textrules import chinese_digits, chinese_number, chinese_numeral

    assert [chinese_numeral(n) for n in (1, 10, 12, 21, 105, 110, 1010)] == [
        "一", "十", "十二", "二十一", "一百零五", "一百一十", "一千零一十"]
    assert chinese_digits(2024) == "二〇二四" and chinese_number("二〇二四") == 2024
    assert all(chinese_number(chinese_numeral(n)) == n for n in range(20000))


def test_bracketed_numbers_found_from_the_bracket_are_those_the_whole_pattern_finds():
    """find_doc_numbers finds 国发〔2016〕8号 from its bracket (`_bracket_spans`) rather than by trying
    every CJK character as an issuer's start: the same spans on random text made of the pieces
    numbers are made of, issuers longer than ten characters and numbers back to back."""
    import random

    from gazette.textrules import DOC_NUMBER_BRACKET, _bracket_spans

    pieces = list("国发办临政府令第号號〔〕[]［］（）()【】｛｝{}2019200831 　公告字年\n") + ["临澜市人民政府办公室", "〔2024〕", "3号"]
    rng = random.Random(7)
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert list(_bracket_spans(text)) == [m.span() for m in DOC_NUMBER_BRACKET.finditer(text)], text
    long_issuer = "中华人民共和国国务院办公厅秘书局国发〔2016〕8号和国发〔2016〕9号"
    assert list(_bracket_spans(long_issuer)) == [m.span() for m in DOC_NUMBER_BRACKET.finditer(long_issuer)]
