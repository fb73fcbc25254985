"""Import the whole LawRefBook corpus and check the recognised publication dates.

Imports `../shared/corpus/lawrefbook` into a fresh folder, loads it as an archive (expects no
metadata errors), and compares each document's `date` with the corpus's own `db.sqlite3`
(table `law`, column `publish`). Prints the accuracy, also for dates read from the text alone
(without the `(YYYY-MM-DD)` in file names), and the mismatches.

    .venv/bin/python scripts/import_accuracy.py [--corpus DIR] [--into DIR] [--jobs 2]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from gazette.archive import load_archive  # noqa: E402
from gazette.importer.batch import run_import  # noqa: E402
from gazette.importer.sources import Source  # noqa: E402
from gazette.importer.textcoll import read_collection_file  # noqa: E402
from gazette.importer.writer import STATE_FILE  # noqa: E402

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus",
                              "lawrefbook")


def expected_dates(corpus: str) -> dict[str, str]:
    """Corpus-relative path -> `publish` from db.sqlite3, where one row matches the file unambiguously."""
    db = sqlite3.connect(os.path.join(corpus, "db.sqlite3"))
    rows = collections.defaultdict(list)
    for name, publish in db.execute("select name, publish from law"):
        rows[name].append(publish)
    out = {}
    for dirpath, _, files in os.walk(corpus):
        for f in files:
            m = re.match(r"(.*?)(?:\((\d{4}-\d{2}-\d{2})\))?\.md$", f)
            if not m:
                continue
            cands = rows.get(m.group(1), [])
            if m.group(2):
                cands = [c for c in cands if c == m.group(2)] or cands
            if len(cands) == 1 and cands[0]:
                out[os.path.relpath(os.path.join(dirpath, f), corpus)] = cands[0]
    return out


def measure(corpus: str, into: str, jobs: int | None) -> dict:
    t0 = time.perf_counter()
    report = run_import([corpus], into, jobs=jobs)
    seconds = time.perf_counter() - t0
    archive = load_archive(into)
    with open(os.path.join(into, STATE_FILE), encoding="utf-8") as f:
        state = json.load(f)
    by_path = {d.source_path: d for d in archive.documents}
    base = os.path.basename(os.path.abspath(corpus).rstrip("/"))
    expected = expected_dates(corpus)
    ok, wrong, text_ok, text_total = 0, [], 0, 0
    for rel, want in sorted(expected.items()):
        entry = state["sources"].get(f"{base}/{rel.replace(os.sep, '/')}")
        doc = by_path.get(entry["output"]) if entry else None
        got = doc.date.isoformat() if doc else None
        if got == want:
            ok += 1
        else:
            wrong.append((rel, got, want))
        # The same file read without the date its name carries.
        path = os.path.join(corpus, rel)
        draft = read_collection_file(Source(path, rel), filename_dates=False)
        text_total += 1
        text_ok += draft.meta.get("date") == want
    return {"sources": len(report.results), "counts": dict(report.counts()), "seconds": round(seconds, 2),
            "docs_per_second": round(len(report.results) / seconds, 1), "metadata_errors": len(archive.errors),
            "documents_in_archive": len(archive.documents), "compared": len(expected),
            "accuracy": ok / len(expected) if expected else 0.0,
            "text_only_accuracy": text_ok / text_total if text_total else 0.0,
            "wrong": wrong, "failed": [(r.source, r.reasons) for r in report.results if r.status == "failed"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--into", default=None, help="archive folder to import into (default: a temporary one)")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        sys.exit(f"corpus not found: {args.corpus} (see ../shared/corpus/README.md)")
    into = args.into or tempfile.mkdtemp(prefix="gazette-import-")
    r = measure(args.corpus, into, args.jobs)
    print(f"imported into {into}")
    print(f"sources {r['sources']}  {r['counts']}  in {r['seconds']} s ({r['docs_per_second']} documents/s)")
    print(f"archive: {r['documents_in_archive']} documents, {r['metadata_errors']} metadata errors")
    print(f"publication date vs db.sqlite3: {r['accuracy']:.2%} of {r['compared']} "
          f"(from the text alone, ignoring file names: {r['text_only_accuracy']:.2%})")
    for rel, got, want in r["wrong"]:
        print(f"  wrong: {rel}: got {got}, db says {want}")
    for src, reasons in r["failed"]:
        print(f"  failed: {src}: {'; '.join(reasons)}")


if __name__ == "__main__":
    main()
