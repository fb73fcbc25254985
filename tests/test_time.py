"""Time and relations: versions of a work, how documents ended, 解读, the annual-report table,
coverage of the archive, corrections (gazette/history.py, annual_report.py, coverage.py,
interpretations.py)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from click.testing import CliRunner

from conftest import AS_OF, CONTENT
from gazette.annual_report import annual_report, report_years
from gazette.archive import load_archive
from gazette.cli import cli
from gazette.coverage import Gap, coverage, gaps
from gazette.history import checked_to, timeline, version_notice
from gazette.interpretations import interpretation_findings
from gazette.metadata import MetadataErrors
from gazette.model import Correction, Issue, read_document
from gazette.site import SiteModel
from gazette.validity import ValiditySettings, effective_status

D = dt.date.fromisoformat


def write_doc(content, slug, body="第一条　为规范管理，制定本办法。", **fields):
    head = "\n".join(f"{k}: {v}" for k, v in fields.items())
    path = content / "documents" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}\n\n{body}\n", encoding="utf-8")
    return path


def write_issue(content, key, year, number, serial, date):
    path = content / "issues" / f"{key}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"year: {year}\nnumber: {number}\nserial: {serial}\ndate: {date}\n\n", encoding="utf-8")


def model_of(content, as_of=AS_OF) -> SiteModel:
    archive = load_archive(str(content))
    assert not archive.errors, archive.errors
    return SiteModel.build(archive, as_of, ValiditySettings())


@pytest.fixture(scope="module")
def sample() -> SiteModel:
    return SiteModel.build(load_archive(CONTENT), AS_OF, ValiditySettings())


@pytest.fixture
def three_versions(tmp_path):
    """A rule, amended twice, each amendment published as a consolidated version; then repealed."""
    c = tmp_path / "content"
    write_doc(c, "v1", title="停车管理办法", date="2020-01-10", doc_number="临政令第1号", doc_type="规章",
              effective="2020-03-01", work="tingche")
    write_doc(c, "v2", title="停车管理办法（2022年修正本）", date="2022-05-20", doc_type="规章",
              effective="2022-07-01", work="tingche")
    write_doc(c, "v3", title="停车管理办法（2024年修正本）", date="2024-08-01", doc_type="规章",
              effective="2024-10-01", work="tingche", validity="repealed", repealed_by="临政令第9号")
    write_doc(c, "repeal", title="关于废止停车管理办法的决定", date="2025-11-20", doc_number="临政令第9号",
              doc_type="规章", effective="2026-01-01")
    return c


# -- versions -----------------------------------------------------------------------------------

@pytest.mark.parametrize("day, expected", [
    ("2020-02-29", None), ("2020-03-01", "v1"), ("2020-03-02", "v1"),
    ("2022-06-30", "v1"), ("2022-07-01", "v2"), ("2022-07-02", "v2"),
    ("2024-09-30", "v2"), ("2024-10-01", "v3"), ("2024-10-02", "v3"),
    ("2025-12-31", "v3"), ("2026-01-01", None), ("2026-01-02", None),
])
def test_the_version_that_applies_on_a_date(three_versions, day, expected):
    work = model_of(three_versions).works["tingche"]
    found = work.version_on(D(day))
    assert (found.doc.slug if found else None) == expected


def test_current_version_before_the_first_and_after_the_work_ended(three_versions):
    work = model_of(three_versions).works["tingche"]
    assert work.current(D("2019-01-01")).doc.slug == "v1"  # none in force yet: the first
    assert work.current(D("2026-06-01")).doc.slug == "v3"  # ended: the last
    assert work.url == "works/tingche.html"


def test_versions_are_ordered_by_the_day_they_apply_not_by_file_order(tmp_path):
    c = tmp_path / "content"
    write_doc(c, "a-late", title="乙", date="2021-01-01", effective="2021-06-01", work="w")
    write_doc(c, "z-early", title="甲", date="2020-01-01", work="w")
    work = model_of(c).works["w"]
    assert [v.doc.slug for v in work.versions] == ["z-early", "a-late"]
    assert [(v.start, v.end) for v in work.versions] == [(D("2020-01-01"), D("2021-06-01")), (D("2021-06-01"), None)]


def test_an_earlier_version_is_amended_from_the_day_the_next_applies(three_versions):
    for day, status in (("2022-06-30", "in_force"), ("2022-07-01", "amended")):
        model = model_of(three_versions, D(day))
        assert model.evaluation(next(d for d in model.documents if d.slug == "v1")).status == status


def test_version_notices_in_plain_words(three_versions):
    model = model_of(three_versions, D("2023-01-01"))
    work = model.works["tingche"]
    by = {d.slug: d for d in model.documents}
    assert version_notice(work, by["v1"], D("2023-01-01")) == (
        "v2", "此版本自2020年3月1日起至2022年6月30日止有效 · 现行版本：停车管理办法（2022年修正本）")
    assert version_notice(work, by["v2"], D("2023-01-01")) == (
        "v2", "此版本自2022年7月1日起至2024年9月30日止有效（现行版本）")
    assert version_notice(work, by["v3"], D("2023-01-01"))[1] == \
        "此版本自2024年10月1日起施行，尚未生效 · 现行版本：停车管理办法（2022年修正本）"
    assert version_notice(work, by["v3"], D("2026-01-01")) == (
        "", "此版本自2024年10月1日起至2025年12月31日止有效 · 本文件已于2026年1月1日起废止，无现行版本")
    assert version_notice(work, None, D("2019-12-31")) == ("", "尚无施行中的版本（首个版本自2020年3月1日起施行）")
    assert version_notice(work, None, D("2023-01-01"))[1] == "现行版本：停车管理办法（2022年修正本）"
    assert version_notice(work, by["v1"], D("2023-01-01"), "zh-Hant")[1].startswith("此版本自2020年3月1日起至")


def test_sample_rule_has_three_versions_the_newest_not_yet_in_force(sample):
    work = sample.works["chengshi-lvhua"]
    assert [v.doc.slug for v in work.versions] == ["llzl-001", "llzl-001-r2023", "llzl-001-r2026"]
    assert work.current(AS_OF).doc.slug == "llzl-001-r2023"
    assert work.current(D("2026-12-01")).doc.slug == "llzl-001-r2026"
    assert work.current(D("2023-04-30")).doc.slug == "llzl-001"
    assert sample.evaluation(work.versions[2].doc).status == "not_yet_effective"
    # the catalogue of documents in force lists a work once, by its current version
    listed = [d.slug for _, docs in sample.in_force_catalogue() for d in docs]
    assert "llzl-001-r2023" in listed and "llzl-001" not in listed and "llzl-001-r2026" not in listed


# -- endings ------------------------------------------------------------------------------------

def test_repeal_date_is_derived_from_the_repealing_documents_effective_date(three_versions):
    model = model_of(three_versions, D("2025-12-01"))
    v3 = next(d for d in model.documents if d.slug == "v3")
    ending = model.ending(v3)
    assert (ending.verb, ending.day, ending.by.slug, ending.day_source) == ("废止", D("2026-01-01"), "repeal",
                                                                            "instrument")
    # declared repealed, but the repeal takes effect later: still in force until then
    assert model.evaluation(v3).status == "in_force"
    assert model_of(three_versions, D("2025-12-31")).evaluation(v3).status == "in_force"
    assert model_of(three_versions, D("2026-01-01")).evaluation(v3).status == "repealed"


def test_repeal_date_rules_in_order(tmp_path):
    c = tmp_path / "content"
    write_doc(c, "declared", title="甲", date="2020-01-01", validity="repealed", repealed_on="2021-03-01",
              superseded_by="new")
    write_doc(c, "new", title="乙", date="2021-01-05", effective="2021-02-01")  # no effective: its date
    write_doc(c, "by-date", title="丙", date="2020-01-01", validity="repealed", superseded_by="dec")
    write_doc(c, "dec", title="决定", date="2022-12-26")
    write_doc(c, "lapsed", title="丁", date="2020-01-01", expires="2022-06-30")
    write_doc(c, "declared-expired", title="戊", date="2020-01-01", validity="expired", reviewed="2023-02-01",
              review_note="2023年清理中宣布失效。")
    write_doc(c, "undated", title="己", date="2020-01-01", validity="repealed")
    write_doc(c, "undeclared", title="庚", date="2020-01-01", 废止日期="2024-05-01", 废止方式="宣布失效")
    model = model_of(c)
    e = {d.slug: model.ending(d) for d in model.documents}
    assert (e["declared"].day, e["declared"].day_source, e["declared"].by.slug) == (D("2021-03-01"), "declared", "new")
    assert (e["by-date"].day, e["by-date"].by.slug) == (D("2022-12-26"), "dec")
    assert (e["lapsed"].verb, e["lapsed"].day, e["lapsed"].last_day) == ("失效", D("2022-07-01"), D("2022-06-30"))
    assert (e["declared-expired"].verb, e["declared-expired"].day, e["declared-expired"].note) == (
        "宣布失效", D("2023-02-01"), "2023年清理中宣布失效。")
    assert (e["undated"].verb, e["undated"].day) == ("废止", None)
    assert e["new"] is None and e["dec"] is None
    # a repeal date without a declared status: repealed (here: expired, by its verb) from that day
    und = next(d for d in model.documents if d.slug == "undeclared")
    assert effective_status(und, D("2024-04-30")) == "in_force"
    assert effective_status(und, D("2024-05-01")) == "expired"


def test_sample_repeal_by_a_later_decision_carries_its_date_verb_instrument_and_note(sample):
    by = {d.slug: d for d in sample.documents}
    e = sample.ending(by["llzg-2022-05"])
    assert (e.verb, e.day, e.by.doc_number) == ("废止", D("2024-12-26"), "临政发〔2024〕20号")
    assert "臨政發〔2024〕20號" in e.note
    e = sample.ending(by["llzbg-2022-01"])
    assert (e.verb, e.day, e.by.slug) == ("宣布失效", D("2024-12-26"), "llzf-2024-20")
    e = sample.ending(by["llzg-2021-02"])  # replaced by a new instrument
    assert (e.verb, e.day, e.by.slug) == ("废止", D("2024-05-01"), "llzg-2024-02")


# -- timeline and "as at" -----------------------------------------------------------------------

def test_timeline_lists_each_change_dated_and_linked(three_versions):
    model = model_of(three_versions, D("2026-03-01"))
    v1 = next(d for d in model.documents if d.slug == "v1")
    events = timeline(v1, model.links.get("v1"), model.ending(v1), model.work_of(v1))
    assert [(e.day, e.kind, e.doc.slug if e.doc else None) for e in events] == [
        (D("2020-01-10"), "published", None), (D("2020-03-01"), "effective", None),
        (D("2022-07-01"), "version", "v2"), (D("2024-10-01"), "version", "v3")]
    v3 = next(d for d in model.documents if d.slug == "v3")
    events = timeline(v3, model.links.get("v3"), model.ending(v3), model.work_of(v3))
    assert (events[-1].kind, events[-1].day, events[-1].label, events[-1].doc.slug) == (
        "ended", D("2026-01-01"), "废止", "repeal")


def test_checked_to_is_the_review_or_the_instrument_that_covered_it(sample):
    by = {d.slug: d for d in sample.documents}
    assert checked_to(by["llzl-003"], sample.ending(by["llzl-003"])).day == D("2024-12-26")
    got = checked_to(by["llzg-2022-05"], sample.ending(by["llzg-2022-05"]))
    assert (got.day, got.source, got.by.slug) == (D("2024-12-26"), "instrument", "llzf-2024-20")
    got = checked_to(by["llzg-2025-01"], sample.ending(by["llzg-2025-01"]))
    assert (got.day, got.source) == (None, "")


# -- corrections --------------------------------------------------------------------------------

def test_corrections_are_dated_repeatable_and_leave_the_text_alone(tmp_path):
    c = tmp_path / "content"
    body = "第五条　申请人应当在三十日内提交材料。"
    path = write_doc(c, "x", body=body, title="办法", date="2024-02-01")
    text = path.read_text(encoding="utf-8").replace(
        "date: 2024-02-01\n", "date: 2024-02-01\ncorrection: 2024-03-02 第五条“三十日”应为“十五日”\n"
        "勘誤: 2024年2月20日：第一条标题有误\n")
    path.write_text(text, encoding="utf-8")
    doc = read_document(str(path))
    assert doc.corrections == [Correction(D("2024-02-20"), "第一条标题有误"),
                               Correction(D("2024-03-02"), "第五条“三十日”应为“十五日”")]
    assert doc.body.strip() == body


def test_a_correction_without_a_date_is_a_located_error(tmp_path):
    path = write_doc(tmp_path, "x", title="办法", date="2024-02-01", correction="第五条有误")
    with pytest.raises(MetadataErrors) as err:
        read_document(str(path))
    assert "x.md:3: correction:" in str(err.value) and "没有以日期开头" in str(err.value)


def test_the_sample_has_a_correction(sample):
    doc = next(d for d in sample.documents if d.slug == "llwjg-2024-01")
    assert doc.corrections[0].date == D("2024-03-04") and "二千五百人" in doc.corrections[0].text
    assert "不超过二千人。" in doc.body  # the text as published


# -- 政策解读 ---------------------------------------------------------------------------------------

def test_interpretations_are_linked_both_ways_and_a_late_one_is_reported(sample):
    by = {d.slug: d for d in sample.documents}
    assert [d.slug for d in sample.links["llzg-2024-02"].interpreted_by] == ["lljd-2024-01"]
    assert [d.slug for d in sample.links["lljd-2024-01"].interprets] == ["llzg-2024-02"]
    findings = interpretation_findings(sample)
    assert [(f.doc.slug, f.key) for f in findings] == [("lljd-2025-01", "interprets")]
    assert "未同步发布" in findings[0].message
    required = interpretation_findings(sample, ("规范性文件",))
    missing = {f.doc.slug for f in required if f.doc.slug != "lljd-2025-01"}
    assert "llzg-2024-02" not in missing and "llzg-2023-01" in missing
    assert all(sample.evaluation(by[s]).in_force for s in missing)


def test_interpretation_without_a_target_is_reported(tmp_path):
    c = tmp_path / "content"
    write_doc(c, "jd", title="解读", date="2024-01-01", doc_type="政策解读")
    findings = interpretation_findings(model_of(c))
    assert [(f.doc.slug, f.key) for f in findings] == [("jd", "doc_type")]


# -- the annual-report table --------------------------------------------------------------------

# Worked out by hand from content/ (see the module docstring of gazette/annual_report.py for the
# rules): 2024 规范性文件 issued = llwjg-2024-01, llzg-2024-02, llzjg-2024-03; repealed =
# llzg-2021-02 (replaced 2024-05-01), llzg-2022-05 (decision of 2024-12-26); expired = llzbg-2022-01
# (宣布失效 2024-12-26), llzjg-2021-01 (valid until 2023-12-31, lapsed 2024-01-01); in force on
# 2024-12-31: the 13 listed below. 规章: llzl-008 issued; in force: the 2023 version of the greening
# rule, llzl-003, llzl-008 (llzl-006 amends another and is merged into it).
HAND_2024 = {
    "规章": {"issued": 1, "repealed": 0, "expired": 0, "amended": 0, "in_force": 3},
    "规范性文件": {"issued": 3, "repealed": 2, "expired": 2, "amended": 0, "in_force": 13},
}
HAND_2024_IN_FORCE = ["llcg-2022-02", "llhg-2023-01", "lljg-2021-01", "lljtg-2022-01", "llmg-2021-01",
                      "llsjg-2023-02", "llwjg-2022-01", "llwjg-2024-01", "llzbg-2023-02", "llzg-2023-01",
                      "llzg-2023-03", "llzg-2024-02", "llzrg-2022-01"]
# 2023: 规章 issued llzl-006 (the consolidated 2023 text is not a new instrument), amended llzl-001,
# in force llzl-001-r2023 + llzl-003; 规范性文件 issued 6, amended lljg-2021-01, in force 15 (the 13
# above minus the two issued in 2024, plus llzg-2021-02, llzbg-2022-01, llzg-2022-05, llzjg-2021-01).
HAND_2023 = {
    "规章": {"issued": 1, "repealed": 0, "expired": 0, "amended": 1, "in_force": 2},
    "规范性文件": {"issued": 6, "repealed": 0, "expired": 0, "amended": 1, "in_force": 15},
}
# 2026 (counted on the as-of date 2026-11-22): 规章 issued llzl-011 + llzl-012 (the 2026 consolidated
# text is no new instrument), amended llzl-001 (by 令第11号), in force 4 (llzl-012 and the 2026 text
# are not yet in force).
HAND_2026 = {
    "规章": {"issued": 2, "repealed": 0, "expired": 0, "amended": 1, "in_force": 4},
}


def figures(report):
    return {r.doc_type: {c: r.count(c) for c in ("issued", "repealed", "expired", "amended", "in_force")}
            for r in report.rows}


def test_annual_counts_match_the_table_worked_out_by_hand(sample):
    report = annual_report(sample, 2024)
    assert report.day == D("2024-12-31")
    assert figures(report) == HAND_2024
    assert report.rows[1].documents["in_force"] == HAND_2024_IN_FORCE
    assert figures(annual_report(sample, 2023)) == HAND_2023
    report = annual_report(sample, 2026)
    assert report.day == AS_OF
    assert figures(report)["规章"] == HAND_2026["规章"]
    assert report_years(sample) == [2026, 2025, 2024, 2023, 2022, 2021]


def test_annual_counts_leave_out_withheld_and_on_request_documents(tmp_path):
    c = tmp_path / "content"
    write_doc(c, "pub", title="甲", date="2024-03-01", doc_type="规范性文件")
    write_doc(c, "req", title="乙", date="2024-03-01", doc_type="规范性文件", disclosure="on_request")
    write_doc(c, "secret", title="丙", date="2024-03-01", doc_type="规范性文件", disclosure="withheld")
    report = annual_report(model_of(c), 2024)
    assert report.rows[1].documents["issued"] == ["pub"] and report.rows[1].documents["in_force"] == ["pub"]
    assert "secret" not in report.to_json() and "req" not in report.to_json()


def test_report_annual_command_in_three_formats(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    runner = CliRunner()
    base = ["report", "annual", "--year", "2024", "--content", CONTENT, "--as-of", AS_OF.isoformat()]
    text = runner.invoke(cli, base)
    assert text.exit_code == 0, text.output
    assert "规范性文件\t3\t2\t2\t0\t13" in text.output
    data = json.loads(runner.invoke(cli, base + ["--format", "json"]).output)
    assert {r["doc_type"]: {k: r[k] for k in HAND_2024["规章"]} for r in data["rows"]} == HAND_2024
    csv_out = runner.invoke(cli, base + ["--format", "csv"]).output
    assert csv_out.splitlines() == ["year,doc_type,issued,repealed,expired,amended,in_force",
                                    "2024,规章,1,0,0,0,3", "2024,规范性文件,3,2,2,0,13"]


# -- coverage -----------------------------------------------------------------------------------

def issue(year, number, serial=None):
    return Issue(source_path="", key=f"{year}-{number:02d}", year=year, number=number,
                 date=dt.date(year, 1, 1) + dt.timedelta(days=30 * number), serial=serial)


def test_coverage_gaps_in_the_number_and_serial_sequences():
    issues = [issue(2020, 1, 1), issue(2020, 2, 2), issue(2020, 4, 4), issue(2021, 2, 6), issue(2022, 1, 9)]
    cov = coverage(issues)
    assert [(c.year, c.present) for c in cov] == [(2020, [1, 2, 4]), (2021, [2]), (2022, [1])]
    assert cov[0].gaps == [Gap(2020, 3, 3)]
    assert cov[1].gaps == [Gap(2021, 1, 5), Gap(None, None, 7), Gap(None, None, 8)]
    assert cov[2].gaps == []
    assert [g.describe() for g in gaps(issues)] == ["2020年第3期（总号第3期）", "2021年第1期（总号第5期）",
                                                    "总号第7期", "总号第8期"]


def test_coverage_without_serials_uses_numbers_alone():
    assert gaps([issue(2020, 1), issue(2020, 3)]) == [Gap(2020, 2, None)]
    assert gaps([]) == []


def test_sample_archive_misses_one_issue_and_check_lists_it(sample, monkeypatch, tmp_path):
    assert gaps(sample.issues) == [Gap(2026, 2, 12)]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = CliRunner().invoke(cli, ["check", "--content", CONTENT, "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "缺期：2026年第2期（总号第12期）" in result.stderr
    assert "lljd-2025-01.md:7: interprets:" in result.stderr and "未同步发布" in result.stderr


def test_check_reports_documents_without_interpretation_behind_a_setting(tmp_path, monkeypatch):
    c = tmp_path / "content"
    write_doc(c, "rule", title="甲", date="2024-03-01", doc_type="规范性文件")
    write_issue(c, "2024-01", 2024, 1, 1, "2024-03-05")
    write_issue(c, "2024-03", 2024, 3, 3, "2024-09-05")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    args = ["check", "--content", str(c), "--as-of", "2024-12-01"]
    result = CliRunner().invoke(cli, args)
    assert "没有政策解读" not in result.stderr and "缺期：2024年第2期（总号第2期）" in result.stderr
    (tmp_path / "pelicanconf.py").write_text(textwrap.dedent("""
        GAZETTE_REQUIRE_INTERPRETATION = ("规范性文件",)
        """), encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert "rule.md:3: doc_type: 现行有效的文件没有政策解读" in result.stderr


# -- withheld documents stay out of every new output ---------------------------------------------

def test_withheld_documents_stay_out_of_versions_timelines_interpretations_and_counts(tmp_path):
    """Withheld documents related in every new way: none of them reaches a page, a work, a
    timeline, a 解读 list, the open data, the annual tables or the coverage shown."""
    import os

    from gazette.build import build_site

    c = tmp_path / "content"
    write_doc(c, "pub-v1", title="公开办法", date="2023-01-05", doc_number="临政规〔2023〕8号",
              doc_type="规范性文件", work="gongkai", validity="repealed", repealed_by="临政密〔2024〕1号")
    write_doc(c, "secret-v2", title="密件修订稿甲", date="2024-01-05", doc_number="临政密〔2024〕2号",
              doc_type="规范性文件", work="gongkai", disclosure="withheld")
    write_doc(c, "secret-decision", title="密件决定乙", date="2024-02-01", doc_number="临政密〔2024〕1号",
              doc_type="决定", disclosure="withheld")
    write_doc(c, "secret-jd", title="密件解读丙", date="2023-01-05", doc_type="政策解读",
              interprets="临政规〔2023〕8号", disclosure="withheld")
    write_doc(c, "pub-jd", title="公开解读", date="2023-02-05", doc_type="政策解读", interprets="临政密〔2024〕3号")
    write_doc(c, "secret-rule", title="密件办法丁", date="2023-03-05", doc_number="临政密〔2024〕3号",
              doc_type="规范性文件", disclosure="withheld")
    write_issue(c, "2023-01", 2023, 1, 1, "2023-03-01")
    out = tmp_path / "out"
    build_site(str(c), str(out), as_of=AS_OF)
    needles = ["密件", "secret-", "临政密", "臨政密"]
    checked = set()
    for dirpath, _, files in os.walk(out):
        for name in files:
            if name.endswith((".html", ".json", ".csv", ".xml")):
                path = os.path.join(dirpath, name)
                text = open(path, encoding="utf-8").read()
                for needle in needles:
                    assert needle not in text, f"withheld {needle!r} in {path}"
                checked.add(os.path.relpath(path, out).replace(os.sep, "/"))
    assert {"works/gongkai.html", "documents/pub-v1.html", "documents/pub-jd.html", "validity/annual-2024.json",
            "validity/annual-2023.html", "issues/index.html", "catalogue.json"} <= checked
    record = json.loads((out / "documents" / "pub-v1.json").read_text(encoding="utf-8"))
    assert record["versions"] == ["pub-v1"] and record["ended_by"] == "" and record["interpreted_by"] == []
    report = json.loads((out / "validity" / "annual-2024.json").read_text(encoding="utf-8"))
    assert report["rows"][1]["issued"] == 0  # the withheld version is not counted


def test_annual_page_of_a_traditional_site_names_the_types_in_traditional(tmp_path):
    from gazette.build import build_site

    c = tmp_path / "content"
    write_doc(c, "a", title="甲办法", date="2025-01-02", doc_type="规范性文件")
    build_site(str(c), str(tmp_path / "out"), as_of=AS_OF, extra_settings={"SITE_SCRIPT": "zh-Hant"})
    page = (tmp_path / "out" / "validity" / "annual-2025.html").read_text(encoding="utf-8")
    assert '<th scope="row">規範性文件</th>' in page and '<th scope="row">规范性文件</th>' not in page
    data = json.loads((tmp_path / "out" / "validity" / "annual-2025.json").read_text(encoding="utf-8"))
    assert data["rows"][1]["doc_type"] == "规范性文件" and data["rows"][1]["issued"] == 1
