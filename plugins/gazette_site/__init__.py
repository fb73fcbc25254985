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


def get_writer(pelican):
    from pelican.writers import Writer

    from gazette.incremental import make_writer_class

    return make_writer_class(Writer)


def register():
    signals.get_writer.connect(get_writer)
    signals.static_generator_finalized.connect(pelican_site.drop_withheld_scans)
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(pelican_site.configure_jinja)
    signals.get_generators.connect(get_generators)
