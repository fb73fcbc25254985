"""Metadata recognised from text: numbers, dates, issuers, titles, script."""

from __future__ import annotations

import datetime as dt

from gazette.importer import recognise as rc
from gazette.importer.boilerplate import drop_repeats, escape_text, safe_markdown, strip_pinyin


def test_doc_number_common_spellings_are_recognised():
    assert rc.number_line("環辦廳函[2017]21號") == "環辦廳函[2017]21號"
    assert rc.number_line("国发〔2016〕8号") == "国发〔2016〕8号"
    assert rc.number_line("中华人民共和国国务院令第656号") == "中华人民共和国国务院令第656号"
    assert rc.number_line("京政办发（２０２０）３号") == "京政办发（２０２０）３号"
    assert rc.number_line("中华人民共和国主席令第三十号") == "中华人民共和国主席令第三十号"


def test_number_quoted_in_a_sentence_is_not_the_documents_own():
    line = "为认真贯彻《国务院办公厅关于印发2020年政务公开工作要点的通知》(国办发〔2020〕17号)精神"
    assert rc.number_line(line) is None
    assert [n for _, n in rc.find_doc_numbers("根据国发〔2016〕8号文件")] == ["国发〔2016〕8号"]


def test_signed_date_in_arabic_and_chinese_numerals():
    assert rc.is_date_line("2017年1月6日") == dt.date(2017, 1, 6)
    assert rc.is_date_line("二〇一七年一月六日") == dt.date(2017, 1, 6)
    assert rc.is_date_line("二○二○年十二月二十一日") == dt.date(2020, 12, 21)
    assert rc.is_date_line("２０１９年３月１日") == dt.date(2019, 3, 1)
    assert rc.is_date_line("2017年2月30日") is None  # not a real day: never invented


def test_issuer_from_signature_block_including_joint_issuers():
    lines = ["正文。", "", "财政部  国家税务总局", "二〇一九年三月一日"]
    organs, signed, _ = rc.signature_block(lines)
    assert organs == ["财政部", "国家税务总局"] and signed == dt.date(2019, 3, 1)


def test_issuer_from_the_number_when_there_is_no_signature():
    assert rc.issuer_from_number("中华人民共和国国务院令第656号") == "国务院"
    assert rc.issuer_from_number("国办发〔2020〕17号") == "国务院办公厅"
    assert rc.issuer_from_number("某政办发〔2019〕5号") is None


def test_script_detected_in_both_directions():
    assert rc.script_of("關於印發政務公開工作要點的通知") == "zh-Hant"
    assert rc.script_of("关于印发政务公开工作要点的通知") == "zh-Hans"


def test_pinyin_annotations_removed_and_lost_characters_marked():
    assert strip_pinyin("環(huán)保部印發(fā)") == "環保部印發"
    assert strip_pinyin("參照?qǐng)行") == "參照□行"
    assert strip_pinyin("(以下简称“条例”)和H5(一)") == "(以下简称“条例”)和H5(一)"


def test_repeated_block_dropped_and_clean_copy_of_garbled_paragraph_kept():
    lines = ["7.建鞏朽鞏棵立和完善規範性檔案備案審查結果信息公開機制。", "8.集中統一對外公開制度彙編工作要求。",
             "三、保障措施", "7.建立和完善規範性檔案備案審查結果信息公開機制。",
             "8.集中統一對外公開制度彙編工作要求。", "三、保障措施"]
    kept, removed = drop_repeats(lines)
    assert kept == ["7.建立和完善規範性檔案備案審查結果信息公開機制。", "8.集中統一對外公開制度彙編工作要求。", "三、保障措施"]
    assert removed == 3


def test_text_from_sources_cannot_become_html_or_links():
    md = escape_text('<script>alert(1)</script> [点此](javascript:alert(1)) <img onerror="x">')
    assert "<" not in md and "](" not in md.replace("\\](", "")
    body = safe_markdown('正文<iframe src="https://evil.example"></iframe>\n\n[链接](javascript:alert(1))\n'
                         '<div onclick="x()">文字</div>\n![](https://tracker.example/p.gif)')
    assert "<iframe" not in body and "<div" not in body and "javascript:" not in body and "tracker" not in body
