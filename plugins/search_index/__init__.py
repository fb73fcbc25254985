"""Pelican plugin: the browser (Pagefind) and command-line (Whoosh) search indexes.

Thin: both indexes are built from the site model, so they start in child processes (one per
index: the two run side by side) when Pelican starts (the model is complete by then) and run
while Pelican reads and writes the pages; the build waits for them before the compressed copies of the index are made (by
the publishing plugin, which compresses the rest of the site while the indexes are finishing). The logic
lives in gazette.search.
"""

import time

from pelican import signals

from gazette import background, build_context, timing
from gazette.search import indexing as search_build

NAME = "search_index"


def start_indexing(pelican):
    build = build_context.for_pelican(pelican.settings)
    state = build.plugin(NAME)
    state["started"] = time.perf_counter()
    state["wait"] = lambda: wait_for_indexes(build)  # also called by the publishing plugin
    state["jobs"] = {"browser": background.BackgroundJob(_quietly, search_build.build_browser, build),
                     "command line": background.BackgroundJob(_quietly, search_build.build_cli, build)}


def _quietly(make, build) -> None:
    """In the child: build one index and hand back nothing (its figures, unpickled here, would make the
    build import that engine's modules just to drop them: a tenth of a second of every rebuild)."""
    make(build.model, build.project, build.mode)


def wait_for_indexes(build) -> None:
    """Wait for both indexes (once; nothing to do when they are done or were not started)."""
    state = build.plugin(NAME)
    jobs = state.pop("jobs", None)
    if jobs:
        with timing.stage("search: wait"):
            for job in jobs.values():
                job.wait()
        timing.record("search indexes (overlapped)", time.perf_counter() - state.pop("started"),
                      cpu_seconds=sum(job.cpu_seconds or 0 for job in jobs.values()))
        for name, job in jobs.items():
            timing.record(f"search: {name} (CPU)", 0, cpu_seconds=job.cpu_seconds)


def finish_indexing(pelican):
    build = build_context.for_pelican(pelican.settings)
    if build.plugin("publishing").get("job") is not None:
        return  # the publishing plugin waits for the indexes, after compressing the pages meanwhile
    wait_for_indexes(build)


def register():
    signals.initialized.connect(start_indexing)
    signals.finalized.connect(finish_indexing)
