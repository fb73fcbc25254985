"""Third-party internals we rely on sit behind one adapter module each, with the versions they were
checked against pinned in pyproject.toml: these tests fail when a library changes underneath."""

from __future__ import annotations

import importlib.metadata
import os
import re
import tomllib

from packaging.requirements import Requirement

from gazette.search import whoosh_adapter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pinned() -> dict[str, Requirement]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        deps = tomllib.load(f)["project"]["dependencies"]
    return {Requirement(d).name.lower(): Requirement(d) for d in deps}


def test_the_adapters_ranges_are_the_pinned_ones_and_the_installed_versions_fall_in_them():
    pins = pinned()
    for name, adapter_range in (("whoosh-reloaded", whoosh_adapter.WHOOSH_VERSIONS),):
        assert str(pins[name].specifier) == str(Requirement(f"x{adapter_range}").specifier), name
        assert pins[name].specifier.contains(importlib.metadata.version(name)), name
    # Pelican: the incremental writer overrides Writer internals (gazette/incremental.py).
    assert pins["pelican"].specifier.contains(importlib.metadata.version("pelican"))
    assert all(p.specifier and any(s.operator in ("<", "<=", "~=", "==") for s in p.specifier)
               for n, p in pins.items() if n in ("pelican", "whoosh-reloaded")), "upper bounds"


def test_whoosh_internals_the_fast_writer_uses_are_there():
    assert whoosh_adapter.missing_internals() == ()


def test_pelican_writer_internals_the_incremental_writer_uses_are_there():
    import inspect

    from pelican.writers import Writer

    source = inspect.getsource(Writer)
    for name in ("_open_w", "_written_files", "_overridden_files", "def write_file"):
        assert name in source, name
    params = list(inspect.signature(Writer.write_file).parameters)
    assert params[:9] == ["self", "name", "template", "context", "relative_urls", "paginated", "template_name",
                          "override_output", "url"]


def test_only_the_adapter_reaches_into_whoosh_privates():
    reach = re.compile(r"\._(ids|postwriter|backend|responses|wait_for_responses|blocklimit|cached_reader)\b")
    offenders = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "gazette")):
        for name in files:
            if name.endswith(".py") and name != "whoosh_adapter.py":
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    if reach.search(f.read()):
                        offenders.append(name)
    assert not offenders


def test_search_does_not_import_the_stage_after_it():
    for dirpath, _, files in os.walk(os.path.join(ROOT, "gazette", "search")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    assert "publishing" not in re.findall(r"^\s*from \.\.(\w+)", f.read(), re.M), name
