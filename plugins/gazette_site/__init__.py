"""Pelican plugin: the gazette content model, document pages, issues, listings and feeds.

Thin: connects the adapters in gazette.pelican_site to Pelican's signals.
"""

from pelican import signals

from gazette import pelican_site


def add_reader(readers):
    for ext in pelican_site.GazetteReader.file_extensions:
        readers.reader_classes[ext] = pelican_site.GazetteReader


def get_generators(pelican):
    return pelican_site.GazetteGenerator


def register():
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(pelican_site.configure_jinja)
    signals.get_generators.connect(get_generators)
