"""The measurement scripts (scripts/search_quality.py, scripts/bench.py and their helpers) run.

Fast: queries are derived from the sample archive and scored; the slow test runs the whole
search-quality script on the sample site (build, browser, CLI)."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bench_queries  # noqa: E402


def test_words_apart_skips_place_and_middle():
    assert bench_queries.words_apart("临澜市养犬管理规定", ["临澜市人民政府"]) == ("养犬", "规定")
    assert bench_queries.words_apart("臨瀾市養犬管理規定", ["臨瀾市人民政府"]) == ("养犬", "规定")


def test_queries_of_every_kind_from_the_sample_and_scores():
    docs, issues = bench_queries.load_docs(os.path.join(ROOT, "content"), dt.date(2026, 11, 22))
    queries = bench_queries.derive_queries(docs, issues, 30, 4)
    kinds = {q["kind"] for q in queries}
    assert kinds == set(bench_queries.KINDS)
    assert all(q["relevant"] for q in queries)
    numbers = {q["variant"] for q in queries if q["kind"] == "number"}
    assert numbers == {"[]", "（）", "〔〕", "全角数字", "〕第N号", "N年N号", "汉字序号"}
    perfect = bench_queries.summarise(queries, [q["relevant"][:10] for q in queries], docs)
    assert perfect["all/all"]["recall"] == 1.0 and perfect["all/all"]["mrr"] == 1.0
    nothing = bench_queries.summarise(queries, [[] for _ in queries], docs)
    assert nothing["all/all"]["recall"] == 0.0


def test_out_of_force_above_in_force_counts_as_a_violation():
    docs = [{"url": "a", "status": "repealed", "current": True, "ftitle": "住房公积金管理办法", "fbody": "", "nkey": ""},
            {"url": "b", "status": "in_force", "current": True, "ftitle": "住房公积金管理办法", "fbody": "", "nkey": ""}]
    q = {"kind": "title", "q": "住房公积金", "words": ["住房公积金"], "relevant": ["a", "b"]}
    by_url = {d["url"]: d for d in docs}
    assert bench_queries.violates(q, ["a", "b"], by_url)
    assert not bench_queries.violates(q, ["b", "a"], by_url)


def test_a_head_match_above_a_text_match_is_not_a_violation():
    """The housing bureau's repealed 办法 matches 住房办法 in its head (title and issuer); an in-force
    办法 mentioning 住房 in its text is a lesser match, an in-force one of the same bureau is not."""
    head = {"ftitle": "临澜市某某办法", "fhead": "临澜市某某办法 临澜市住房和城乡建设局", "fbody": "住房", "nkey": ""}
    docs = [dict(head, url="a", status="repealed", current=True),
            dict(url="b", status="in_force", current=True, ftitle="临澜市供水办法", fhead="临澜市供水办法 临澜市水务局",
                 fbody="住房租赁办法", nkey=""),
            dict(head, url="c", status="in_force", current=True)]
    q = {"kind": "words", "q": "住房办法", "words": ["住房", "办法"], "relevant": ["a", "c"]}
    by_url = {d["url"]: d for d in docs}
    assert bench_queries.match_class(q, docs[0]) == "head" and bench_queries.match_class(q, docs[1]) == "body"
    assert not bench_queries.violates(q, ["a", "b"], by_url)
    assert bench_queries.violates(q, ["a", "c"], by_url)


@pytest.mark.slow
@pytest.mark.browser
def test_search_quality_runs_on_the_sample(tmp_path):
    out = tmp_path / "figures.json"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "search_quality.py"), "--archive", "sample",
                    "--work", str(tmp_path / "work"), "--sample", "10", "--cold", "2", "--json", str(out)],
                   check=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT))
    figures = json.loads(out.read_text())
    assert {"browser", "gazette search"} <= set(figures["quality"])
    assert figures["cold"]["browser"]["requests_server"] > 0


def test_the_side_by_side_rebuild_script_runs_two_checkouts(tmp_path, capsys):
    """scripts/bench_pair.py: this checkout under two names, one round, on a copy of the sample."""
    import shutil

    import bench_pair

    archive = tmp_path / "content"
    shutil.copytree(os.path.join(ROOT, "content"), archive)
    assert bench_pair.main([str(archive), f"a={ROOT}", f"b={ROOT}", "--rounds", "1", "--work", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert out.count("warm-up") == 2 and "a: median" in out and "(1.00 of a)" in out
    assert (tmp_path / "w" / "a-out" / "index.html").exists() and (tmp_path / "w" / "b-out" / "index.html").exists()


def test_the_side_by_side_script_times_full_builds_against_plain_pelican(tmp_path, capsys):
    """scripts/bench_pair.py --full: plain Pelican and this checkout's full build, one round, on a copy of the sample."""
    import shutil

    import bench_pair

    archive = tmp_path / "content"
    shutil.copytree(os.path.join(ROOT, "content"), archive)
    runs = bench_pair.full_rounds(str(archive), [("a", ROOT)], 1, str(tmp_path / "w"))
    out = capsys.readouterr().out
    assert set(runs) == {"plain", "a"} and all(wall > 0 and cpu > 0 for wall, cpu in runs["plain"] + runs["a"])
    assert "a: wall sum" in out and "× plain" in out
    assert (tmp_path / "w" / "a-out" / "search.html").exists() and (tmp_path / "w" / "plain-out" / "index.html").exists()
