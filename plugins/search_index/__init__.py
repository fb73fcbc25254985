"""Pelican plugin: the browser (Pagefind) and command-line (Whoosh) search indexes.

Thin: grabs the site model when all generators are done, builds both indexes once the
pages are written. The logic lives in gazette.search.
"""

from pelican import signals

from gazette.search import build as search_build

_state = {}


def grab_model(generators):
    for generator in generators:
        model = getattr(generator, "context", {}).get("gazette")
        if model is not None:
            _state["model"] = model
            _state["settings"] = generator.settings
            return


def build_indexes(pelican):
    model = _state.pop("model", None)
    settings = _state.pop("settings", pelican.settings)
    if model is not None:
        search_build.build_indexes(model, settings)


def register():
    signals.all_generators_finalized.connect(grab_model)
    signals.finalized.connect(build_indexes)
