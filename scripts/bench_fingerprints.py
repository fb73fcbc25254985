"""CPU of the listing pages' fingerprints (gazette.incremental.fingerprint), per template.

    .venv/bin/python scripts/bench_fingerprints.py ARCHIVE [--as-of 2026-11-22]

Reads the archive, plans its listing pages (gazette.pages.plan_pages) and fingerprints each page twice
in one process: the first round includes every document's own picture, the second (documents
memoised, as in a build) is what an edit-one rebuild pays for its listings. An archive from
scripts/bench_archive.py (or scripts/bench.py's work folder) gives the figures of docs/scaling.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gazette import incremental  # noqa: E402
from gazette.pages import plan_pages  # noqa: E402
from gazette.project import load_project  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("archive")
    ap.add_argument("--as-of", default="2026-11-22")
    args = ap.parse_args()
    project = load_project(args.archive, os.path.join(tempfile.mkdtemp(), "out"))
    model = project.site_model(project.load_archive(), dt.date.fromisoformat(args.as_of))
    memo: dict = {}
    incremental._memo = lambda: memo  # one build's memo, as gazette build keeps it
    t = time.process_time()
    plan = plan_pages(model)
    print(f"{len(model.documents)} documents, {len(plan)} listing pages, planned in {time.process_time() - t:.2f} CPU-s")
    for label in ("first (documents pictured)", "second (documents memoised)"):
        per: dict[str, float] = {}
        for spec in plan:
            t = time.process_time()
            incremental.fingerprint(spec.template + ".html", False, spec.context)
            per[spec.template] = per.get(spec.template, 0.0) + time.process_time() - t
        top = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])[:4])
        print(f"  {label}: {sum(per.values()):.2f} CPU-s ({top})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
