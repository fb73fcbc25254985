"""Pelican plugin: the browser (Pagefind) and command-line (Whoosh) search indexes.

Thin: both indexes are built from the site model, so they start in child processes (one per
index: the two run side by side) as soon as the model is complete and run while Pelican writes
the pages; the build waits for them
before the publishing step (sitemap, compressed copies) looks at the output. The logic
lives in gazette.search.
"""

import time

from pelican import signals

from gazette import background, timing
from gazette.search import indexing as search_build

_state = {}


def start_indexing(generators):
    for generator in generators:
        model = getattr(generator, "context", {}).get("gazette")
        if model is not None:
            _state["started"] = time.perf_counter()
            _state["jobs"] = [background.BackgroundJob(search_build.build_browser, model, generator.settings,
                                            nice=background.YIELDING),
                              background.BackgroundJob(search_build.build_cli, model, generator.settings)]
            return


def finish_indexing(pelican):
    jobs = _state.pop("jobs", None)
    if jobs:
        with timing.stage("search: wait"):
            for job in jobs:
                job.wait()
        timing.record("search indexes (overlapped)", time.perf_counter() - _state.pop("started"))


def register():
    signals.all_generators_finalized.connect(start_indexing)
    signals.finalized.connect(finish_indexing)
