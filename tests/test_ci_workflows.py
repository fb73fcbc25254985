"""The shipped CI workflows (deploy/github-actions.yml, deploy/gitlab-ci.yml) build a site equal to one build.

Each test reads the workflow file itself, runs its partition command once per matrix entry, all at
the same time (as parallel CI jobs would), then its merge-and-assemble commands, and compares the
assembled site with a single whole build of the same archive on the same day.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from test_incremental import tree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCH = "1795824000"  # 2026-11-28, the commit date every job agrees on

# One document per partition of the shipped matrices at least, in both scripts.
DOCS = [
    ("1956", "llzf-1956-01", "临澜市人民委员会关于整顿市容卫生的通知", "临政发〔1956〕1号", "通知"),
    ("1987", "lljg-1987-04", "臨瀾市城市道路管理暫行規定", "臨政規〔1987〕4號", "规章"),
    ("1999", "lljg-1999-02", "临澜市城市绿化管理办法", "临政规〔1999〕2号", "规范性文件"),
    ("2015", "lljg-2015-01", "臨瀾市公共圖書館管理辦法", "臨政規〔2015〕1號", "規範性文件"),
    ("2024", "llzf-2024-02", "临澜市人民政府关于做好防汛工作的通知", "临政发〔2024〕2号", "通知"),
]


def make_project(root) -> str:
    for year, slug, title, number, doc_type in DOCS:
        folder = os.path.join(root, "content", "documents", year)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, slug + ".md"), "w", encoding="utf-8") as f:
            f.write(f"title: {title}\ndate: {year}-06-15\ndoc_number: {number}\nissuer: 临澜市人民政府\n"
                    f"doc_type: {doc_type}\ncategory: 城乡建设\n\n第一条　{title}的正文。\n\n第二条　自发布之日起施行。\n")
    return str(root)


def bash(script: str, cwd: str, **env) -> subprocess.Popen:
    # PYTHONPATH: the `gazette` command runs this checkout's code whichever environment installed it.
    full = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"], PYTHONPATH=ROOT,
                SOURCE_DATE_EPOCH=EPOCH, **env)
    return subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    return out


def whole_build(project: str, cache: str) -> dict[str, bytes]:
    finish(bash("gazette build --output whole", project, GAZETTE_CACHE_DIR=cache))
    return tree(os.path.join(project, "whole"))


def github_steps():
    with open(os.path.join(ROOT, "deploy", "github-actions.yml"), encoding="utf-8") as f:
        wf = yaml.safe_load(f)
    jobs = wf["jobs"]
    years = jobs["partition"]["strategy"]["matrix"]["years"]
    build = next(s for s in jobs["partition"]["steps"] if s.get("id") == "build-partition")
    assemble = next(s for s in jobs["assemble"]["steps"] if s.get("id") == "assemble")
    upload = next(s for s in jobs["partition"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    download = next(s for s in jobs["assemble"]["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact"))
    assert "needs" in jobs["assemble"] and jobs["assemble"]["needs"] == "partition"
    return years, build, assemble, upload, download


def test_github_workflow_partitions_assemble_to_the_whole_site(tmp_path):
    project = make_project(tmp_path / "repo")
    whole = whole_build(project, str(tmp_path / "cache-whole"))
    years, build, assemble, upload, download = github_steps()

    # The partition jobs, concurrently, each on its own runner: its own checkout, its own cache.
    jobs = []
    for i, value in enumerate(years):
        job_dir = tmp_path / f"job-{i}"
        shutil.copytree(project, job_dir)
        env = {k: str(v).replace("${{ matrix.years }}", value) for k, v in build.get("env", {}).items()}
        jobs.append((value, job_dir, bash(build["run"], str(job_dir), GAZETTE_CACHE_DIR=str(tmp_path / f"cache-{i}"),
                                          **env)))
    # actions/upload-artifact → download-artifact: each partition's output lands in <path>/<artifact name>/.
    parts = os.path.join(project, download["with"]["path"])
    for value, job_dir, proc in jobs:
        finish(proc)
        name = upload["with"]["name"].replace("${{ matrix.years }}", value)
        source = job_dir / upload["with"]["path"].replace("${{ matrix.years }}", value)
        assert source.is_dir(), f"partition {value} wrote nothing at {source}"
        shutil.copytree(source, os.path.join(parts, name))
    finish(bash(assemble["run"], project, GAZETTE_CACHE_DIR=str(tmp_path / "cache-assemble")))

    merged = tree(os.path.join(project, "site"))
    assert sorted(merged) == sorted(whole)
    assert [p for p in whole if whole[p] != merged[p]] == []


def test_gitlab_pipeline_partitions_assemble_to_the_whole_site(tmp_path):
    project = make_project(tmp_path / "repo")
    whole = whole_build(project, str(tmp_path / "cache-whole"))
    with open(os.path.join(ROOT, "deploy", "gitlab-ci.yml"), encoding="utf-8") as f:
        ci = yaml.safe_load(f)
    partition, pages = ci["partition"], ci["pages"]
    assert pages["needs"] == ["partition"] and pages["artifacts"]["paths"] == ["public"]
    years = partition["parallel"]["matrix"][0]["YEARS"]
    # Each parallel job in its own copy of the checkout; its artifacts are then unpacked into the pages job's.
    procs = []
    for i, value in enumerate(years):
        job_dir = tmp_path / f"job-{i}"
        shutil.copytree(project, job_dir)
        procs.append((job_dir, bash("\n".join(partition["script"]), str(job_dir), YEARS=value,
                                    GAZETTE_CACHE_DIR=str(tmp_path / f"cache-{i}"))))
    for job_dir, proc in procs:
        finish(proc)
        for path in partition["artifacts"]["paths"]:
            shutil.copytree(job_dir / path, os.path.join(project, path), dirs_exist_ok=True)
    finish(bash("\n".join(pages["script"]), project, GAZETTE_CACHE_DIR=str(tmp_path / "cache-pages")))

    merged = tree(os.path.join(project, "public"))
    assert sorted(merged) == sorted(whole)
    assert [p for p in whole if whole[p] != merged[p]] == []


def test_assembly_refuses_a_merge_missing_a_partition(tmp_path):
    project = make_project(tmp_path / "repo")
    env = {"GAZETTE_CACHE_DIR": str(tmp_path / "cache")}
    finish(bash("gazette build --partition 2010-2029 --output site", project, **env))
    proc = bash("gazette build --assemble --output site", project, **env)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 1, out
    assert "1956" in out and "1987" in out and "1999" in out and "--partition" in out
    assert not os.path.exists(os.path.join(project, "site", "index.html"))


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_shipped_partitions_cover_whole_decades_without_overlap(name):
    from gazette.build import parse_partition

    with open(os.path.join(ROOT, "deploy", name), encoding="utf-8") as f:
        wf = yaml.safe_load(f)
    years = (wf["jobs"]["partition"]["strategy"]["matrix"]["years"] if "jobs" in wf
             else wf["partition"]["parallel"]["matrix"][0]["YEARS"])
    ranges = sorted(parse_partition(y) for y in years)
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:])), ranges
