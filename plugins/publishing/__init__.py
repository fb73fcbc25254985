"""Pelican plugin: open data, feeds, redirects, sitemap, PDF downloads and precompressed copies.

Thin: the logic lives in gazette.publishing. Everything but the compressed copies is made from the
site model, so it starts in a child process as soon as Pelican starts (the model is complete by
then) and runs while Pelican reads and writes pages and the search indexes are built. At `finalized` the build waits for it,
compresses everything but the browser's search index while the indexes may still be running, then
waits for the indexes (plugins/search_index leaves that to this plugin) and compresses the index.
"""

import time

from pelican import signals

from gazette import background, build_context, publishing, timing
from gazette.pages import plan_pages
from gazette.publishing.links import FEED_DIMENSIONS, VALIDITY_FEED, feed_path
from gazette.publishing.output import absolute_site_url

NAME = "publishing"


def _plan(build):
    state = build.plugin(NAME)
    if "plan" not in state:
        state["plan"] = publishing.plan_links(build.model, build.settings["PATH"], build.project.publishing)
    return state["plan"]


def add_template_globals(generator):
    """`publishing_links(doc)` and `feed_url(dimension, value)` for the templates."""
    build = build_context.for_pelican(generator.settings)
    env = generator.env
    env.globals["publishing_links"] = lambda doc: _plan(build).links.get(doc.slug)
    env.globals["feed_url"] = lambda dim, value: feed_path(dim, value) if dim in FEED_DIMENSIONS else None
    env.globals["validity_feed_url"] = VALIDITY_FEED
    env.globals["absolute_site_url"] = absolute_site_url(generator.settings)
    # What document.html shows from the link plan (PDF, short address, feeds).
    build.page_dependencies[NAME] = lambda doc: repr(_plan(build).links.get(doc.slug))


def _publish(build, pages, plan) -> None:
    """In the child: publish, compressing later. Returns nothing, so that the child hands back no
    list of files and exits (freeing its memory) as soon as it is done, not when the build asks."""
    publishing.publish(build.model, build.project, pages, plan, compress=False, pdf_workers=1, mode=build.mode)


def start(pelican):
    """At Pelican's start, not after its generators: at 10,000 documents reading them took 5 s of an
    edit-one rebuild, which the build then spent waiting for this child."""
    build = build_context.for_pelican(pelican.settings)
    pages = [page.url for page in build.model.archive.pages.values()]  # the pages our reader publishes
    state = build.plugin(NAME)
    state["started"] = time.perf_counter()
    if build.state is not None and build.state.same_model:
        # Both keep most of what they make: the child starts at once and plans its own links (the
        # page writer plans them only if a page it renders asks).
        state["job"] = background.BackgroundJob(_publish, build, pages, None)
        return
    plan_pages(build.model)  # once, here: the child's sitemap and the page writer share it
    state["job"] = background.BackgroundJob(_publish, build, pages, _plan(build))


def finish(pelican):
    build = build_context.for_pelican(pelican.settings)
    state = build.plugin(NAME)
    job = state.get("job")
    if job is not None:
        with timing.stage("publishing: wait"):
            job.wait()
        timing.record("publishing (overlapped)", time.perf_counter() - state.pop("started"), cpu_seconds=job.cpu_seconds)
        # The search indexes may still be running (the longest job): a core is free once this
        # child is done, so the pages, open data and feeds are compressed now, the index after it.
        with timing.stage("compress"):
            publishing.compress_output(build.project, build.mode, search_index=False)
        state.pop("job")
        build.plugin("search_index").get("wait", lambda: None)()
        with timing.stage("compress: search index"):
            publishing.compress_output(build.project, build.mode, search_index=True)


def register():
    signals.generator_init.connect(add_template_globals)
    signals.initialized.connect(start)
    signals.finalized.connect(finish)
