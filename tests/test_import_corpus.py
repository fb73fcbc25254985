"""The LawRefBook collection (../shared/corpus/lawrefbook) imported as a whole, and a sample of it."""

from __future__ import annotations

import importlib.util
import os

import pytest
from conftest import CORPUS, unavailable

from gazette.archive import load_archive
from gazette.importer.batch import run_import

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "scripts", "import_accuracy.py")


@pytest.fixture
def corpus():
    if not os.path.isdir(CORPUS):
        pytest.skip(f"{CORPUS} not found (see ../shared/corpus/README.md)")
    return CORPUS


def test_sample_of_the_collection_imports_without_metadata_errors(tmp_path, corpus):
    folder = os.path.join(corpus, "行政法规")
    into = tmp_path / "content"
    report = run_import([folder], str(into), jobs=2)
    assert report.counts()["imported"] >= 100 and not report.failed, report.to_text()
    archive = load_archive(str(into))
    assert archive.errors == [] and len(archive.documents) == report.counts()["imported"]
    # State Council regulations carry their order number; the issuer follows from it.
    numbered = [d for d in archive.documents if d.doc_number and "国务院令" in d.doc_number]
    assert len(numbered) > 50 and all(d.issuer == ["国务院"] for d in numbered)


@pytest.mark.slow
def test_whole_collection_imports_and_publication_dates_match_the_corpus_database(tmp_path, corpus):
    spec = importlib.util.spec_from_file_location("import_accuracy", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    r = script.measure(corpus, str(tmp_path / "content"), jobs=2)
    assert r["sources"] == 1512
    assert r["metadata_errors"] == 0
    assert r["accuracy"] >= 0.98, r["wrong"][:10]
    # Only sources with nothing to go on fail, and they say why.
    assert all("发布日期" in "".join(reasons) for _, reasons in r["failed"])
