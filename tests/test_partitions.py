"""Partitioned builds: two year-range partitions merged and assembled give the same site as one build."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner

from gazette.cli import cli
from test_incremental import tree

DOCS = [
    ("2015", "lljg-2015-01", "临澜市城市绿化管理办法", "临政规〔2015〕1号", "规范性文件", "城乡建设"),
    ("2017", "lljg-2017-02", "臨瀾市公共圖書館管理辦法", "臨政規〔2017〕2號", "規範性文件", "教育"),
    ("2019", "llzf-2019-07", "临澜市人民政府关于调整出租汽车运价的通知", "临政发〔2019〕7号", "通知", "交通运输"),
    ("2021", "lljg-2021-03", "临澜市城市绿化管理办法", "临政规〔2021〕3号", "规范性文件", "城乡建设"),
    ("2024", "llzf-2024-02", "臨瀾市人民政府關於做好防汛工作的通知", "臨政發〔2024〕2號", "通知", "应急管理"),
]


def make_archive(root) -> str:
    content = os.path.join(root, "content")
    for year, slug, title, number, doc_type, category in DOCS:
        folder = os.path.join(content, "documents", year)
        os.makedirs(folder, exist_ok=True)
        extra = "supersedes: 临政规〔2015〕1号\n" if slug == "lljg-2021-03" else ""
        with open(os.path.join(folder, slug + ".md"), "w", encoding="utf-8") as f:
            f.write(f"title: {title}\ndate: {year}-03-0{len(slug) % 9 + 1}\ndoc_number: {number}\n"
                    f"issuer: 临澜市人民政府\ndoc_type: {doc_type}\ncategory: {category}\n{extra}\n"
                    f"第一条　{title}的正文。本文件自发布之日起施行。\n\n第二条　各部门应当认真执行。\n")
    return content


def run(*args):
    result = CliRunner().invoke(cli, ["build", *args, "--as-of", "2026-11-22"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_two_partitions_assembled_equal_a_single_build(tmp_path, monkeypatch):
    content = make_archive(tmp_path)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    run("--content", content, "--output", str(tmp_path / "whole"))

    # Two CI jobs, each with its own output; their outputs are then merged and assembled.
    run("--content", content, "--output", str(tmp_path / "part-a"), "--partition", "2010-2019")
    run("--content", content, "--output", str(tmp_path / "part-b"), "--partition", "2020-2029")
    part_a, part_b = tree(str(tmp_path / "part-a")), tree(str(tmp_path / "part-b"))
    assert "documents/lljg-2015-01.html" in part_a and "documents/lljg-2015-01.html" not in part_b
    assert "documents/lljg-2021-03.html" in part_b and "index.html" not in part_a
    assert not set(part_a) & set(part_b) - {p for p in part_a if p.startswith("theme/")}, \
        "partitions must not write the same files (theme assets aside)"

    site = tmp_path / "site"
    for part in ("part-a", "part-b"):
        shutil.copytree(tmp_path / part, site, dirs_exist_ok=True)
    run("--content", content, "--output", str(site), "--assemble")

    whole, merged = tree(str(tmp_path / "whole")), tree(str(site))
    assert sorted(merged) == sorted(whole)
    assert [p for p in whole if whole[p] != merged[p]] == []


def test_partition_must_cover_whole_decades(tmp_path):
    content = make_archive(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--content", content, "--output", str(tmp_path / "o"),
                                      "--partition", "2015-2024"])
    assert result.exit_code == 2
    assert "不是整十年" in result.output


def withhold_2021(content: str) -> None:
    path = os.path.join(content, "documents", "2021", "lljg-2021-03.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("title:", "disclosure: withheld\ntitle:", 1))


def partitions_then_assembly(content: str, output) -> None:
    """Both partitions and the assembly, each writing into the one folder `output`."""
    for years in ("2020-2029", "2010-2019"):
        run("--content", content, "--output", str(output), "--partition", years)
    run("--content", content, "--output", str(output), "--assemble")


def test_the_recipe_run_again_into_the_same_site_equals_a_single_build(tmp_path, monkeypatch):
    """docs/scaling.md's recipe run twice with one cache (a local rerun, a CI cache): the second
    assembly finds the partitions' pages copied in with new modification times since its last run,
    and must not take them for damaged files of its own (it cannot make them again). Also with every
    run writing into one shared folder, a document withheld in between."""
    content = make_archive(tmp_path)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"

    def recipe():
        for name, years in (("part-a", "2010-2019"), ("part-b", "2020-2029")):
            run("--content", content, "--output", str(tmp_path / name), "--partition", years)
            shutil.copytree(tmp_path / name, site, dirs_exist_ok=True)
        run("--content", content, "--output", str(site), "--assemble")

    def whole(tag) -> dict:
        monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / f"cache-{tag}"))
        run("--content", content, "--output", str(tmp_path / f"whole-{tag}"))
        monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
        return tree(str(tmp_path / f"whole-{tag}"))

    recipe()
    with open(os.path.join(content, "documents", "2017", "lljg-2017-02.md"), "a", encoding="utf-8") as f:
        f.write("\n第三条　补充一条。\n")
    recipe()
    merged, expected = tree(str(site)), whole("a")
    assert sorted(merged) == sorted(expected)
    assert [p for p in expected if expected[p] != merged[p]] == []

    shared = tmp_path / "shared"
    partitions_then_assembly(content, shared)
    withhold_2021(content)
    partitions_then_assembly(content, shared)
    merged, expected = tree(str(shared)), whole("b")
    assert sorted(merged) == sorted(expected)
    assert [p for p in expected if expected[p] != merged[p]] == []


def test_records_of_other_build_modes_forget_a_document_withheld_since(tmp_path, monkeypatch):
    """A full build, then the document withheld, then only partitions and the assembly into the same
    folder: the full build's records (its outputs manifest and its no-change record) named the
    document's files, and no build of that mode runs again to rewrite them."""
    from leakscan import find_leaks

    content = make_archive(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(cache))
    site = tmp_path / "site"
    run("--content", content, "--output", str(site))
    run("--content", content, "--output", str(site))  # a no-change build: the record stands
    assert any(p.name.startswith("completed-") for p in cache.rglob("*.json"))
    withhold_2021(content)
    partitions_then_assembly(content, site)
    markers = ["lljg-2021-03", "临政规〔2021〕3号"]
    assert find_leaks(str(site), markers) == []
    assert find_leaks(str(cache), markers) == []
    # and the full build still works from its pruned manifest
    run("--content", content, "--output", str(site))
    assert find_leaks(str(site), markers) == [] and find_leaks(str(cache), markers) == []


def test_a_page_another_build_mode_rewrote_is_not_kept_as_ones_own(tmp_path, monkeypatch):
    """Review 17: a full build, a body edit built by the partition and the assembly, the edit
    reverted and a full build again: the full mode's record still held its first fingerprint of the
    page the partition had rewritten, and kept the edited page. The same the other way round (a page
    the full build rewrote, kept by the next assembly). Files one mode writes anew lose their
    fingerprints in the other modes' records."""
    content = make_archive(tmp_path)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    site = str(tmp_path / "site")
    path = os.path.join(content, "documents", "2024", "llzf-2024-02.md")
    original = open(path, encoding="utf-8").read()

    def fresh(name: str) -> dict:
        monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / f"cache-{name}"))
        run("--content", content, "--output", str(tmp_path / name))
        monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
        return tree(str(tmp_path / name))

    def partitioned():
        run("--content", content, "--output", site, "--partition", "2010-2019")
        run("--content", content, "--output", site, "--partition", "2020-2029")
        run("--content", content, "--output", site, "--assemble")

    run("--content", content, "--output", site)
    with open(path, "w", encoding="utf-8") as f:
        f.write(original.replace("各部门应当认真执行", "各部门应当严格执行"))
    partitioned()
    with open(path, "w", encoding="utf-8") as f:
        f.write(original)
    run("--content", content, "--output", site)
    want, got = fresh("reverted"), tree(site)
    assert [rel for rel in want if got.get(rel) != want[rel]] == []

    with open(path, "w", encoding="utf-8") as f:  # the other way: the full build rewrites a listing
        f.write(original.replace("category: 应急管理", "category: 城乡建设"))
    partitioned()
    run("--content", content, "--output", site)
    with open(path, "w", encoding="utf-8") as f:
        f.write(original)
    partitioned()
    want, got = fresh("assembled"), tree(site)
    assert [rel for rel in want if got.get(rel) != want[rel]] == []


def test_a_partition_s_own_cache_forgets_the_pdf_of_a_document_withheld_since(tmp_path, monkeypatch):
    """CI runs each partition with a cache of its own: the PDF of a document withheld since its
    last run must not stay there (only site-wide builds pruned the PDF cache: review 21)."""
    from leakscan import document_markers, find_leaks

    content = make_archive(tmp_path)
    cache = tmp_path / "cache-p2"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(cache))
    run("--content", content, "--output", str(tmp_path / "p2"), "--partition", "2020-2029")
    before = sorted(p.name for p in cache.rglob("*.pdf"))
    # (its title and opening are those of the 2015 document it replaces, which stays public)
    markers = [m for m in document_markers(os.path.join(content, "documents", "2021", "lljg-2021-03.md")) if "2021" in m]
    assert markers
    withhold_2021(content)
    run("--content", content, "--output", str(tmp_path / "p2"), "--partition", "2020-2029")
    after = sorted(p.name for p in cache.rglob("*.pdf"))
    assert len(after) == len(before) - 1 and set(after) < set(before)
    assert find_leaks(str(cache), markers) == []


def test_a_partition_without_a_numbered_document_builds(tmp_path, monkeypatch):
    """No document of the decade has a 文号, so the partition makes no eli/ folder to compress."""
    content = make_archive(tmp_path)
    for year in ("2015", "2017", "2019"):
        folder = os.path.join(content, "documents", year)
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            text = open(path, encoding="utf-8").read()
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(line for line in text.splitlines(True) if not line.startswith("doc_number:")))
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    run("--content", content, "--output", str(tmp_path / "p1"), "--partition", "2010-2019")
    assert os.path.exists(tmp_path / "p1" / "documents" / "lljg-2015-01.html")
