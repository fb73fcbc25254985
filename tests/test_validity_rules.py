"""Validity rules: effective status, review flag and their boundaries (DESIGN.md, "Validity rules")."""

import datetime as dt

import pytest

from gazette.model import Document
from gazette.validity import ValiditySettings, add_years, as_of_date, effective_status, evaluate, review_due

D = dt.date.fromisoformat


def doc(**kw) -> Document:
    kw.setdefault("date", D("2020-01-10"))
    kw.setdefault("doc_type", "规范性文件")
    if "validity" in kw:
        kw.setdefault("validity_declared", True)
    for k in ("date", "effective", "expires", "reviewed"):
        if isinstance(kw.get(k), str):
            kw[k] = D(kw[k])
    return Document(source_path="documents/x.md", slug="x", title="关于测试的通知", **kw)


# -- effective status -----------------------------------------------------------------------

def test_document_without_dates_or_declaration_is_in_force():
    assert effective_status(doc(), D("2026-11-22")) == "in_force"


def test_not_yet_effective_until_its_effective_date():
    d = doc(effective="2026-12-01")
    assert effective_status(d, D("2026-11-30")) == "not_yet_effective"
    assert effective_status(d, D("2026-12-01")) == "in_force"  # in force on the day itself
    assert effective_status(d, D("2026-12-02")) == "in_force"


def test_future_effective_date_wins_over_declared_repeal():
    assert effective_status(doc(effective="2027-01-01", validity="repealed"), D("2026-11-22")) == "not_yet_effective"


@pytest.mark.parametrize("declared", ["repealed", "expired"])
def test_declared_repealed_or_expired_is_that_status(declared):
    assert effective_status(doc(validity=declared), D("2026-11-22")) == declared
    # even when its expiry date is still ahead
    assert effective_status(doc(validity=declared, expires="2030-01-01"), D("2026-11-22")) == declared


def test_expires_is_the_last_valid_day():
    d = doc(expires="2026-11-22")
    assert effective_status(d, D("2026-11-21")) == "in_force"
    assert effective_status(d, D("2026-11-22")) == "in_force"
    assert effective_status(d, D("2026-11-23")) == "expired"


def test_automatic_expiry_overrides_a_declared_in_force():
    assert effective_status(doc(validity="in_force", expires="2025-12-31"), D("2026-11-22")) == "expired"
    assert effective_status(doc(validity="amended", expires="2025-12-31"), D("2026-11-22")) == "expired"


def test_declared_amended_stays_amended():
    assert effective_status(doc(validity="amended"), D("2026-11-22")) == "amended"


def test_declared_not_yet_effective_without_date_trusts_the_declaration():
    assert effective_status(doc(validity="not_yet_effective"), D("2026-11-22")) == "not_yet_effective"


def test_declared_not_yet_effective_is_in_force_once_its_effective_date_comes():
    d = doc(validity="not_yet_effective", effective="2026-11-22")
    assert effective_status(d, D("2026-11-21")) == "not_yet_effective"
    assert effective_status(d, D("2026-11-22")) == "in_force"


# -- review due date --------------------------------------------------------------------------

def test_review_due_is_cycle_years_after_last_review_else_publication():
    s = ValiditySettings()
    assert review_due(doc(date="2020-01-10"), s) == D("2022-01-10")
    assert review_due(doc(date="2020-01-10", reviewed="2023-06-30"), s) == D("2025-06-30")
    assert review_due(doc(date="2020-01-10"), ValiditySettings(cycle_years=3)) == D("2023-01-10")


def test_leap_day_review_is_due_on_28_february():
    assert add_years(D("2020-02-29"), 2) == D("2022-02-28")
    assert add_years(D("2020-02-29"), 4) == D("2024-02-29")
    assert review_due(doc(date="2019-05-05", reviewed="2020-02-29"), ValiditySettings()) == D("2022-02-28")
    d = doc(date="2020-02-29")
    assert evaluate(d, D("2022-02-28")).flag == "due_soon"
    assert evaluate(d, D("2022-03-01")).flag == "overdue"


@pytest.mark.parametrize("doc_type", ["规范性文件", "規範性文件", "规章", "規章"])
def test_review_types_match_in_either_script(doc_type):
    assert review_due(doc(doc_type=doc_type), ValiditySettings()) is not None
    assert review_due(doc(doc_type=doc_type), ValiditySettings(review_types=("规范性文件", "规章"))) is not None


@pytest.mark.parametrize("doc_type", ["通知", "公告", None, ""])
def test_other_types_are_not_under_review(doc_type):
    d = doc(doc_type=doc_type, date="2000-01-01")
    assert review_due(d, ValiditySettings()) is None
    ev = evaluate(d, D("2026-11-22"))
    assert ev.flag is None and ev.review_due is None


def test_review_types_are_a_setting():
    s = ValiditySettings.from_pelican({"GAZETTE_REVIEW_DOC_TYPES": ["通知"], "GAZETTE_REVIEW_CYCLE_YEARS": 5,
                                       "GAZETTE_REVIEW_DUE_SOON_DAYS": 30})
    assert (s.cycle_years, s.due_soon_days) == (5, 30)
    assert s.under_review("通知") and not s.under_review("规范性文件")


# -- review flag ------------------------------------------------------------------------------

def test_overdue_on_the_day_after_the_due_date():
    d = doc(date="2020-01-10", reviewed="2024-11-22")  # due 2026-11-22
    assert evaluate(d, D("2026-11-21")).flag == "due_soon"
    assert evaluate(d, D("2026-11-22")).flag == "due_soon"
    assert evaluate(d, D("2026-11-23")).flag == "overdue"
    assert evaluate(d, D("2026-11-23")).review_due == D("2026-11-22")


def test_due_soon_window_boundaries():
    d = doc(reviewed="2024-11-22")  # due 2026-11-22, 90 days after 2026-08-24
    assert evaluate(d, D("2026-08-23")).flag == "current"   # 91 days ahead
    assert evaluate(d, D("2026-08-24")).flag == "due_soon"  # 90 days ahead
    assert evaluate(d, D("2026-08-24"), ValiditySettings(due_soon_days=30)).flag == "current"


def test_never_reviewed_document_counts_from_its_publication_date():
    d = doc(date="2018-03-01")
    ev = evaluate(d, D("2026-11-22"))
    assert ev.flag == "overdue" and ev.review_due == D("2020-03-01")


@pytest.mark.parametrize("kw", [dict(validity="repealed"), dict(validity="expired"),
                                dict(expires="2025-01-01"), dict(effective="2027-01-01")])
def test_documents_not_in_force_get_no_review_flag(kw):
    ev = evaluate(doc(date="2010-01-01", **kw), D("2026-11-22"))
    assert ev.flag is None and ev.review_due is None and not ev.in_force


def test_amended_documents_are_still_reviewed():
    ev = evaluate(doc(date="2010-01-01", validity="amended"), D("2026-11-22"))
    assert ev.status == "amended" and ev.flag == "overdue" and ev.in_force


# -- as-of date -------------------------------------------------------------------------------

def test_as_of_explicit_then_source_date_epoch_then_today():
    assert as_of_date("2026-11-22", environ={"SOURCE_DATE_EPOCH": "0"}) == D("2026-11-22")
    assert as_of_date(None, environ={"SOURCE_DATE_EPOCH": "1795305600"}) == D("2026-11-22")
    assert as_of_date(None, environ={}) == dt.datetime.now(dt.timezone.utc).date()
    with pytest.raises(ValueError):
        as_of_date("22/11/2026")

