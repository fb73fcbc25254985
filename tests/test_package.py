"""Gazette as an installed package: the wheel carries the theme, the plugins and the project
template; installed (not editable) into a fresh virtual environment, `gazette init` makes a site
that builds, is searched and is served outside this repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def clean_env() -> dict:
    """This environment without what points at this checkout or its caches."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GAZETTE_CACHE_DIR")}


def run(cmd, cwd, env=None, timeout=900):
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{cmd}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> str:
    # Built from a copy of what the wheel is made of: a build leaves build/ and *.egg-info behind.
    import shutil

    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source / name)
    for name in ("gazette", "theme", "plugins"):
        shutil.copytree(os.path.join(ROOT, name), source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist),
         str(source)], cwd=str(dist), env=clean_env())
    (name,) = [n for n in os.listdir(dist) if n.endswith(".whl")]
    return str(dist / name)


def test_the_wheel_carries_theme_plugins_and_the_project_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("gazette/_theme/templates/base.html", "gazette/_theme/static/js/search.js",
                 "gazette/_plugins/gazette_site/__init__.py", "gazette/_plugins/publishing/__init__.py",
                 "gazette/skeleton/pelicanconf.py.tmpl", "gazette/defaults.py", "gazette/search/whoosh_index.py"):
        assert path in names, path
    assert not any(n.startswith(("content/", "tests/", "theme/", "plugins/")) for n in names)


def test_installed_package_inits_builds_searches_and_serves_a_new_site(wheel, tmp_path):
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", "--without-pip", str(venv)], cwd=str(tmp_path), env=clean_env())
    python = str(venv / "bin" / "python")
    # Dependencies come from this environment's site-packages (no network), added as a plain path:
    # its .pth files, among them the editable install of this checkout, are not read.
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  cwd=str(tmp_path), env=clean_env()).stdout.strip()
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel],
        cwd=str(tmp_path), env=clean_env())
    # After installing: pip would otherwise find this checkout's editable install there and skip.
    with open(os.path.join(purelib, "gazette-test-deps.pth"), "w") as f:
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    env = clean_env()
    env["PATH"] = str(venv / "bin") + os.pathsep + env["PATH"]
    where = run([python, "-c", "import gazette; print(gazette.__file__)"], cwd=str(tmp_path), env=env).stdout
    assert where.startswith(purelib), where  # the installed copy, not this checkout

    gazette = str(venv / "bin" / "gazette")
    run([gazette, "init", "mysite"], cwd=str(tmp_path), env=env)
    site = tmp_path / "mysite"
    for name in ("pelicanconf.py", "publishconf.py", "README.md", "content/issues/2025-01.md"):
        assert (site / name).is_file(), name
    assert "gazette build" in (site / "README.md").read_text(encoding="utf-8")
    assert "gazette serve" in (site / "README.md").read_text(encoding="utf-8")
    built = run([gazette, "build", "--as-of", "2026-11-22"], cwd=str(site), env=env)
    assert "已构建 1 件文件、1 期公报" in built.stdout
    out = site / "output"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "示例市人民政府公报" in home and "theme/css" in home
    page = (out / "documents" / "gazette-launch.html").read_text(encoding="utf-8")
    assert "关于创办《示例市人民政府公报》的通知" in page and "示政发〔2025〕1号" in page
    assert (out / "search-index" / "manifest.json").is_file() and (out / "catalogue.json").is_file()
    assert not (site / ".cache").exists() or os.listdir(site / ".cache")  # the cache sits beside the settings
    found = run([gazette, "search", "公报", "--json"], cwd=str(site), env=env)
    # the new site's one document, and its one issue (issues are searchable by name: 公报 is in it)
    assert sorted(r["slug"] for r in json.loads(found.stdout)["results"]) == ["gazette-launch", "issue-2025-01"]
    assert run([gazette, "check", "--as-of", "2026-11-22"], cwd=str(site), env=env).returncode == 0

    server = subprocess.Popen([gazette, "serve", "--port", "0"], cwd=str(site), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        port = int(line.split("localhost:")[1].split("/")[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/documents/gazette-launch.html", timeout=30) as r:
            assert "示政发〔2025〕1号" in r.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_build_does_not_load_the_importer_or_the_search_engines():
    """`gazette build` imports what it runs: the importer's HTML and PDF libraries are loaded only by
    `gazette import`, Whoosh only in the child that builds the command-line index."""
    import subprocess
    import sys

    code = ("import sys\nfrom gazette.cli import cli\ncli.get_command(None, 'build')\n"
            "from gazette.project import PLUGINS_DIR\nsys.path.insert(0, PLUGINS_DIR)\n"
            "import publishing, search_index, validity, gazette_site\n"
            "print(' '.join(m for m in ('bs4', 'trafilatura', 'pypdfium2', 'whoosh', 'reportlab') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
