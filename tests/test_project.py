"""One project context for every command: settings read once from the site's pelicanconf.py, the
cache folder the build writes and search reads, plugins honoured, errors exit non-zero."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from click.testing import CliRunner

from gazette.cli import cli
from gazette.defaults import DEFAULTS
from gazette.project import GAZETTE_PLUGINS, cache_dir_for, load_project

AS_OF = "2026-11-22"

PLUGIN = '''
import os
from pelican import signals


def mark(pelican):
    with open(os.path.join(pelican.settings["OUTPUT_PATH"], "site-plugin-ran.txt"), "w") as f:
        f.write("yes")


def register():
    signals.finalized.connect(mark)
'''


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A site project of its own: pelicanconf.py (notices under a one-year review, its own cache
    folder and plugin), content/ with an issue and two documents; the current folder."""
    root = tmp_path / "mysite"
    write(root / "pelicanconf.py", '''
        SITENAME = "测试市人民政府公报"
        PATH = "content"
        OUTPUT_PATH = "public"
        GAZETTE_CACHE_DIR = "build-cache"
        GAZETTE_REVIEW_DOC_TYPES = ["通知"]
        GAZETTE_REVIEW_CYCLE_YEARS = 1
        PLUGIN_PATHS = ["site_plugins"]
        PLUGINS = ["marker"]
    ''')
    write(root / "site_plugins" / "marker" / "__init__.py", PLUGIN)
    write(root / "content" / "issues" / "2025-01.md", '''
        title: 测试市人民政府公报 2025年第1期
        year: 2025
        number: 1
        serial: 1
        date: 2025-01-15

    ''')
    write(root / "content" / "documents" / "2025" / "notice.md", '''
        title: 测试市人民政府关于做好公报发行工作的通知
        date: 2025-01-10
        doc_number: 测政发〔2025〕1号
        issuer: 测试市人民政府
        doc_type: 通知
        gazette: 2025-01

        各区人民政府：做好公报发行工作。
    ''')
    write(root / "content" / "documents" / "2025" / "rule.md", '''
        title: 测试市公报编辑规范
        date: 2025-01-12
        doc_number: 测政规〔2025〕1号
        issuer: 测试市人民政府
        doc_type: 规范性文件
        gazette: 2025-01

        第一条　本规范适用于公报编辑。
    ''')
    monkeypatch.chdir(root)
    return root


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)



def test_a_sites_plugin_runs_in_its_own_builds_only(site):
    assert run("build", "--as-of", AS_OF).exit_code == 0
    assert (site / "public" / "site-plugin-ran.txt").exists()
    other = site / "other.py"                              # same process, a site without the plugin
    other.write_text('PATH = "content"\nOUTPUT_PATH = "elsewhere"\n', encoding="utf-8")
    build = run("build", "--as-of", AS_OF, "--settings", str(other))
    assert build.exit_code == 0, build.output
    assert (site / "elsewhere" / "index.html").exists()
    assert not (site / "elsewhere" / "site-plugin-ran.txt").exists()

def test_every_command_honours_the_sites_pelicanconf(site):
    build = run("build", "--as-of", AS_OF)
    assert build.exit_code == 0, build.output
    assert "Done: Processed" not in build.output and "已构建" in build.output   # Pelican's English only with --verbose
    out = site / "public"                                  # OUTPUT_PATH of the site
    assert "测试市人民政府公报" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "site-plugin-ran.txt").exists()          # the site's PLUGINS ran, ours too
    cache = cache_dir_for(str(site / "build-cache"), "content")
    assert os.path.isdir(os.path.join(cache, "whoosh"))    # GAZETTE_CACHE_DIR of the site
    assert not (site / ".cache").exists()
    catalogue = {d["slug"]: d for d in json.loads((out / "catalogue.json").read_text(encoding="utf-8"))["documents"]}
    # Notices are under review (GAZETTE_REVIEW_DOC_TYPES) with a one-year cycle: overdue; the normative one is not.
    assert catalogue["notice"]["review_flag"] == "overdue" and catalogue["rule"]["review_flag"] == ""

    check = run("check", "--as-of", AS_OF, "--format", "json")
    assert check.exit_code == 0, check.output
    flags = {d["slug"]: d["flag"] for d in json.loads(check.stdout)["documents"]}
    assert flags["notice"] == "overdue" and not flags["rule"]

    found = run("search", "公报", "--json")                  # no --index: where the build wrote it
    assert found.exit_code == 0, found.output
    assert {r["slug"] for r in json.loads(found.stdout)["results"]} >= {"notice", "rule"}
    overdue = run("search", "flag:overdue", "--json")
    assert [r["slug"] for r in json.loads(overdue.stdout)["results"]] == ["notice"]

    # `gazette index` alone rebuilds the same index with the same settings.
    import shutil

    shutil.rmtree(os.path.join(cache, "whoosh"))
    assert run("search", "公报").exit_code == 1
    index = run("index", "--as-of", AS_OF)
    assert index.exit_code == 0, index.output
    overdue = run("search", "flag:overdue", "--json")
    assert [r["slug"] for r in json.loads(overdue.stdout)["results"]] == ["notice"]


def test_search_without_an_index_exits_1_and_says_to_build(site):
    result = CliRunner().invoke(cli, ["search", "公报"])
    assert result.exit_code == 1
    assert "找不到检索索引" in result.stderr and "gazette build" in result.stderr


def test_a_folder_without_documents_is_not_an_empty_archive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "notes" / "a.md", "title: 随笔\n\n正文\n")
    for command in (["check", "--content", "notes"], ["build", "--content", "notes", "--output", "o"],
                    ["index", "--content", "notes"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1, (command, result.output)
        assert os.path.abspath("notes") in result.stderr and "documents/" in result.stderr and "issues/" in result.stderr
    (tmp_path / "notes" / "documents").mkdir()
    result = CliRunner().invoke(cli, ["check", "--content", "notes"])
    assert result.exit_code == 1 and os.path.join("notes", "documents") in result.stderr
    missing = CliRunner().invoke(cli, ["check", "--content", "nowhere"])
    assert missing.exit_code == 1 and "不存在" in missing.stderr


def test_site_plugins_come_first_and_ours_are_added_once(site):
    project = load_project()
    assert project.settings["PLUGINS"] == ["marker"] + GAZETTE_PLUGINS
    assert project.content_dir == str(site / "content") and project.output_dir == str(site / "public")
    assert project.validity.cycle_years == 1


def test_defaults_are_written_once_beneath_the_site_settings(tmp_path, monkeypatch):
    from pelican.settings import DEFAULT_CONFIG

    from gazette.publishing.links import PublishingSettings
    from gazette.validity import ValiditySettings

    # Ours sit beside Pelican's, never shadowing one of its defaults.
    assert not set(DEFAULTS) & set(DEFAULT_CONFIG)
    monkeypatch.chdir(tmp_path)  # no pelicanconf.py here: defaults only
    project = load_project(find_settings=False)
    for key, value in DEFAULTS.items():
        assert project.settings[key] == value
    assert project.validity == ValiditySettings() == ValiditySettings.from_pelican({})
    assert project.publishing == PublishingSettings() == PublishingSettings.from_pelican({})
