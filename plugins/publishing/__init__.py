"""Pelican plugin: open data, feeds, redirects, sitemap, PDF downloads and precompressed copies.

Thin: the logic lives in gazette.publishing. The site model is grabbed when all generators are
done; everything is written at `finalized`, after the other plugins (this one is last in the
plugin list), so the sitemap and the compressed copies see every file.
"""

from pelican import signals

from gazette import publishing
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


def grab(generators):
    for generator in generators:
        context = getattr(generator, "context", {})
        if context.get("gazette") is not None:
            _state["model"] = context["gazette"]
            _state["settings"] = generator.settings
            _state["pages"] = [p.save_as for p in context.get("pages", []) if getattr(p, "save_as", "")]
            return


def publish(pelican):
    model = _state.pop("model", None)
    settings = _state.pop("settings", pelican.settings)
    pages = _state.pop("pages", [])
    if model is not None:
        from gazette import timing

        with timing.stage("publishing"):
            publishing.publish(model, settings, settings["OUTPUT_PATH"], pages, plan=_plan(settings, model))
    _state.pop("plan", None)
    _state.pop("plan_model", None)


def register():
    signals.generator_init.connect(add_template_globals)
    signals.all_generators_finalized.connect(grab)
    signals.finalized.connect(publish)
