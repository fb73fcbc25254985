"""Pelican plugin: open data, feeds, redirects, sitemap, PDF downloads and precompressed copies.

Thin: the logic lives in gazette.publishing. Everything but the compressed copies is made from the
site model, so it starts in a child process as soon as all generators are done and runs while
Pelican writes pages and the search indexes are built. At `finalized` (this plugin is last in the
plugin list, after the search indexes were waited for) the build waits for it, then compresses:
the compressed copies see every file.
"""

import time

from pelican import signals

from gazette import background, publishing, timing
from gazette.publishing.links import FEED_DIMENSIONS, VALIDITY_FEED, feed_path

_state = {}


def _plan(settings, model):
    plan = _state.get("plan")
    if plan is None or _state.get("plan_model") is not model:
        plan = publishing.plan_links(model, settings.get("PATH", "content"),
                                     publishing.PublishingSettings.from_pelican(settings))
        _state.update(plan=plan, plan_model=model)
    return plan


def add_template_globals(generator):
    """`publishing_links(doc)` and `feed_url(dimension, value)` for the templates."""
    from gazette import pelican_site
    from gazette.pelican_site import site_model

    settings = generator.settings
    env = generator.env
    env.globals["publishing_links"] = lambda doc: _plan(settings, site_model(settings)).links.get(doc.slug)
    env.globals["feed_url"] = lambda dim, value: feed_path(dim, value) if dim in FEED_DIMENSIONS else None
    env.globals["validity_feed_url"] = VALIDITY_FEED

    def links_of(doc):  # what document.html shows from the link plan (PDF, short address, feeds)
        return repr(_plan(settings, pelican_site.site_model(settings)).links.get(doc.slug))

    links_of._publishing = True
    deps = pelican_site.DOCUMENT_DEPENDENCIES
    deps[:] = [fn for fn in deps if not getattr(fn, "_publishing", False)] + [links_of]


def _publish(model, settings, output_dir, pages, plan) -> None:
    """In the child: publish, compressing later. Returns nothing, so that the child hands back no
    list of files and exits (freeing its memory) as soon as it is done, not when the build asks."""
    publishing.publish(model, settings, output_dir, pages, plan, compress=False, pdf_workers=1)


def start(generators):
    for generator in generators:
        context = getattr(generator, "context", {})
        model = context.get("gazette")
        if model is not None:
            settings = generator.settings
            pages = [p.save_as for p in context.get("pages", []) if getattr(p, "save_as", "")]
            _state["settings"] = settings
            _state["started"] = time.perf_counter()
            _state["job"] = background.BackgroundJob(_publish, model, settings, settings["OUTPUT_PATH"], pages,
                                          _plan(settings, model), nice=background.YIELDING)
            return


def finish(pelican):
    job = _state.pop("job", None)
    settings = _state.pop("settings", pelican.settings)
    if job is not None:
        with timing.stage("publishing: wait"):
            job.wait()
        timing.record("publishing (overlapped)", time.perf_counter() - _state.pop("started"))
        with timing.stage("compress"):
            publishing.compress_output(settings, settings["OUTPUT_PATH"])
    _state.pop("plan", None)
    _state.pop("plan_model", None)


def register():
    signals.generator_init.connect(add_template_globals)
    signals.all_generators_finalized.connect(start)
    signals.finalized.connect(finish)
