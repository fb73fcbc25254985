"""Import accuracy: the LawRefBook corpus's publication dates, and fields of saved portal pages.

Imports `../shared/corpus/lawrefbook` into a fresh folder, loads it as an archive (expects no
metadata errors), and compares each document's `date` with the corpus's own `db.sqlite3`
(table `law`, column `publish`). Prints the accuracy, also for dates read from the text alone
(without the `(YYYY-MM-DD)` in file names), and the mismatches.

    .venv/bin/python scripts/import_accuracy.py [--corpus DIR] [--into DIR] [--jobs 2]

With `--portals`, instead: each saved portal page of the sets below, read by the importer and
compared field by field with a person's reading (title, 文号, issuer, date, 索引号, where the text
starts and ends; compared with all whitespace deleted), per page and per set:
the real pages in `../shared/samples/portal-pages` (their `truth.json`), the two real text dumps
in `../shared/samples/legacy-pages` and our own varied pages in `tests/fixtures/portals` (truth
in `tests/fixtures/portals/*.json`).

    .venv/bin/python scripts/import_accuracy.py --portals [-v]

With `--scans`, instead: generates the varied scanned issues of `scripts/make_scan_corpus.py`
(real Tesseract for the image-only ones), imports them without a manifest and compares, per
issue: documents found vs expected, issue year/number/serial/date, and per document title,
文号, issuer, signed date, publication date, where the text starts and ends (first and last 12
characters, whitespace deleted, full/half-width alike) and the character accuracy of the body.

    .venv/bin/python scripts/import_accuracy.py --scans [--jobs 2]
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
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from gazette.archive import load_archive  # noqa: E402
from gazette.importer.batch import run_import  # noqa: E402
from gazette.importer.legacy import read_legacy  # noqa: E402
from gazette.importer.sources import detect_kind  # noqa: E402
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


# -- saved portal pages ------------------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "shared", "samples")
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "portals")
PORTAL_FIELDS = ("title", "doc_number", "issuer", "date", "index_no", "body_start", "body_end")


def portal_sets() -> list[tuple[str, str, str]]:
    """(name, folder of pages, truth file) of every portal-page set present on this machine."""
    sets = [("real HTML pages (portal-pages)", os.path.join(SAMPLES, "portal-pages"),
             os.path.join(SAMPLES, "portal-pages", "truth.json")),
            ("real text dumps (legacy-pages)", os.path.join(SAMPLES, "legacy-pages"),
             os.path.join(FIXTURES, "legacy-pages-truth.json")),
            ("our own pages (tests/fixtures/portals)", FIXTURES, os.path.join(FIXTURES, "truth.json"))]
    return [s for s in sets if os.path.isdir(s[1]) and os.path.exists(s[2])]


def _squash(value) -> str:
    return re.sub(r"\s+", "", value or "")


def _body_text(body: str) -> str:
    """A written body as plain text (the Markdown escapes undone), whitespace deleted."""
    return _squash(re.sub(r"\\(.)", r"\1", body).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def measure_portal_page(path: str, row: dict) -> dict[str, tuple[bool, str | None, str | None]]:
    """field -> (right, what the importer read, what a person read) for one page."""
    draft = read_legacy(Source(path, os.path.basename(path)), detect_kind(path))
    m = draft.meta
    body = _body_text(draft.body)
    want_first, want_last = _squash(row.get("body_first_chars")), _squash(row.get("body_last_chars"))
    got = {"title": m.get("title"), "doc_number": m.get("doc_number"), "issuer": m.get("issuer"),
           # the document's own date: signed (成文/adopted/decided), else the publication date
           "date": m.get("signed") or m.get("date"), "index_no": m.get("index_no"),
           "body_start": body[:len(want_first)] if want_first else body[:30],
           "body_end": body[-len(want_last):] if want_last else body[-30:]}
    want = {k: row.get(k) for k in ("title", "doc_number", "issuer", "date", "index_no")}
    want["body_start"], want["body_end"] = want_first, want_last
    return {k: (_squash(got[k]) == _squash(want[k]), got[k], want[k]) for k in PORTAL_FIELDS}


def measure_portal_set(folder: str, truth_path: str) -> list[tuple[str, dict]]:
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)
    out = []
    for row in truth:
        path = os.path.join(folder, row["file"])
        try:
            out.append((row["file"], measure_portal_page(path, row)))
        except Exception as e:  # a page the importer cannot read counts every field wrong
            out.append((row["file"], {k: (False, f"error: {e}", row.get(k)) for k in PORTAL_FIELDS}))
    return out


def print_portal_report(verbose: bool = False) -> float:
    """Print per page and per set which fields are right; returns the overall share right."""
    total_right = total = 0
    for name, folder, truth_path in portal_sets():
        results = measure_portal_set(folder, truth_path)
        right = sum(ok for _, r in results for ok, _, _ in r.values())
        n = sum(len(r) for _, r in results)
        print(f"{name}: {right}/{n} fields right ({right / n:.1%}), {len(results)} pages")
        per_field = {k: sum(r[k][0] for _, r in results) for k in PORTAL_FIELDS}
        print("  per field: " + ", ".join(f"{k} {v}/{len(results)}" for k, v in per_field.items()))
        for page, r in results:
            wrong = [k for k in PORTAL_FIELDS if not r[k][0]]
            print(f"  {page}: {len(PORTAL_FIELDS) - len(wrong)}/{len(PORTAL_FIELDS)}"
                  + (f"  wrong: {', '.join(wrong)}" if wrong else ""))
            for k in wrong if verbose or wrong else []:
                print(f"      {k}: got {r[k][1]!r}, expected {r[k][2]!r}")
        total_right += right
        total += n
    if total:
        print(f"overall: {total_right}/{total} fields right ({total_right / total:.1%})")
    return total_right / total if total else 0.0


# --- scanned issues -------------------------------------------------------------------------------

DOC_FIELDS = ("title", "doc_number", "issuer", "signed", "date", "start", "end")
ISSUE_FIELDS = ("year", "number", "serial", "date")
EDGE = 12


def _plain(text: str | None) -> str:
    """Text compared: Markdown escapes undone, whitespace deleted, full- and half-width forms alike."""
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", re.sub(r"\\(.)", r"\1", text or "")))


def written_documents(into: str) -> list:
    """Every document file under into (published, withheld and drafts alike)."""
    from gazette.archive import iter_content_files
    from gazette.model import read_document
    return [read_document(p) for p in iter_content_files(into, "documents")]


def score_scans(truth: dict, into: str) -> dict:
    """Per issue of the generated corpus: fields right / fields compared, and what was wrong."""
    from gazette.archive import normalise_doc_number
    from gazette.importer.layout import similarity
    from gazette.importer.ocr import char_accuracy
    from gazette.model import read_issue
    with open(os.path.join(into, STATE_FILE), encoding="utf-8") as f:
        state = json.load(f)
    docs_by_path = {d.source_path: d for d in written_documents(into)}
    out = {}
    for name, t in truth.items():
        ident_prefix = None
        outputs = []
        for ident, entry in state["sources"].items():
            if ident.split("#")[0].endswith("/" + t["file"]) or ident.split("#")[0] == t["file"]:
                ident_prefix = ident.split("#")[0]
                outputs.append(entry["output"])
        found = [d for rel, d in docs_by_path.items() for o in outputs if rel.endswith(o)]
        right, total, wrong, chars = 0, 0, [], []

        per_field: dict[str, list[int]] = {}

        def check(label, ok, got, want):
            nonlocal right, total
            total += 1
            right += bool(ok)
            counts = per_field.setdefault(label.split(" ")[-1].replace("issue.", "issue "), [0, 0])
            counts[0] += bool(ok)
            counts[1] += 1
            if not ok:
                wrong.append(f"{label}: got {got!r}, want {want!r}")

        issue_rel = next((o for o in outputs if o.startswith("issues/")), None)
        issue = read_issue(os.path.join(into, issue_rel)) if issue_rel else None
        ti = t["issue"]
        for k in ISSUE_FIELDS:
            got = (issue.date.isoformat() if k == "date" else getattr(issue, k)) if issue else None
            check(f"issue.{k}", got == ti[k], got, ti[k])
        check("documents found", len(found) == len(t["documents"]), len(found), len(t["documents"]))
        pool = list(found)
        for n, want in enumerate(t["documents"]):
            best = max(pool, key=lambda d: (similarity(d.title, want["title"]),
                                            similarity(d.body[:200], "".join(want["body"])[:200])), default=None)
            if best is not None and (similarity(best.title, want["title"]) >= 0.5
                                     or similarity(best.body[:200], "".join(want["body"])[:200]) >= 0.5):
                pool.remove(best)
            else:
                best = None
            body = _plain(best.body) if best else ""
            expect_body = _plain("".join(want["body"]))
            got = {"title": _plain(best.title) if best else None,
                   "doc_number": normalise_doc_number(best.doc_number) if best and best.doc_number else None,
                   "issuer": ";".join(best.issuer) if best and best.issuer else None,
                   "signed": best.signed.isoformat() if best and best.signed else None,
                   "date": best.date.isoformat() if best and best.date else None,
                   "start": body[:EDGE] if best else None, "end": body[-EDGE:] if best else None}
            exp = {"title": _plain(want["title"]),
                   "doc_number": normalise_doc_number(want["doc_number"]) if want["doc_number"] else None,
                   "issuer": want["issuer"], "signed": want["signed"], "date": ti["date"],
                   "start": expect_body[:EDGE], "end": expect_body[-EDGE:]}
            for k in DOC_FIELDS:
                check(f"doc {n + 1} {k}", got[k] == exp[k], got[k], exp[k])
            chars.append(char_accuracy(expect_body, body))
        out[name] = {"right": right, "total": total, "found": len(found), "expected": len(t["documents"]),
                     "drafts": sum(1 for d in found if d.is_draft), "char_accuracy": sum(chars) / len(chars) if chars else 0,
                     "wrong": wrong, "source": ident_prefix, "fields": per_field}
    return out


def measure_scans(into: str, jobs: int | None, corpus_dir: str | None = None) -> tuple[dict, float]:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_scan_corpus import make_corpus
    corpus_dir = corpus_dir or tempfile.mkdtemp(prefix="gazette-scans-")
    truth = make_corpus(corpus_dir)
    os.unlink(os.path.join(corpus_dir, "truth.json"))   # not a source
    t0 = time.perf_counter()
    report = run_import([corpus_dir], into, jobs=jobs)
    seconds = time.perf_counter() - t0
    if report.failed:
        print(report.to_text())
    return score_scans(truth, into), seconds


def print_scans(scores: dict, seconds: float) -> None:
    right = sum(s["right"] for s in scores.values())
    total = sum(s["total"] for s in scores.values())
    print(f"scanned issues: {len(scores)} sets imported in {seconds:.1f} s")
    print(f"{'set':24} {'docs found/expected':>20} {'drafts':>6} {'fields right':>14} {'char acc':>9}")
    for name, s in scores.items():
        print(f"{name:24} {s['found']:>9}/{s['expected']:<10} {s['drafts']:>6} "
              f"{s['right']:>6}/{s['total']:<4} {s['right'] / s['total']:>6.1%} {s['char_accuracy']:>8.2%}")
    per_field: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for s in scores.values():
        for k, (ok, n) in s["fields"].items():
            per_field[k][0] += ok
            per_field[k][1] += n
    print("per field: " + ", ".join(f"{k} {ok}/{n}" for k, (ok, n) in per_field.items()))
    print(f"all fields: {right}/{total} = {right / total:.1%}")
    for name, s in scores.items():
        for w in s["wrong"]:
            print(f"  {name}: {w}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--into", default=None, help="archive folder to import into (default: a temporary one)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--portals", action="store_true", help="measure the saved portal-page sets instead")
    ap.add_argument("--scans", action="store_true", help="measure the generated scanned issues instead")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.portals:
        print_portal_report(args.verbose)
        return
    if args.scans:
        into = args.into or tempfile.mkdtemp(prefix="gazette-import-scans-")
        scores, seconds = measure_scans(into, args.jobs)
        print(f"imported into {into}")
        print_scans(scores, seconds)
        return
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
