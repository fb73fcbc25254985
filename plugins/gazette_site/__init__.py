"""Pelican plugin: the gazette content model, document pages, issues, listings and feeds.

Thin: connects the adapters in gazette.pelican_site to Pelican's signals.
"""

from pelican import signals

from gazette import incremental, pelican_site, timing


def add_reader(readers):
    # Ours is the only content reader: any other (Pelican's Markdown reader takes .mkd and .mdown)
    # would publish a file the archive never read, with no disclosure check. ("static" reads scans.)
    for ext in list(readers.reader_classes):
        if ext != "static":
            del readers.reader_classes[ext]
    for ext in pelican_site.GazetteReader.file_extensions:
        readers.reader_classes[ext] = pelican_site.GazetteReader


def get_generators(pelican):
    return pelican_site.GazetteGenerator


def get_writer(pelican):
    from pelican.writers import Writer

    from gazette.incremental import make_writer_class

    return make_writer_class(Writer)


def pelican_read(pelican):
    timing.begin("pelican: read")


def pelican_write(generators):
    timing.begin("pelican: write pages")


def pelican_done(pelican):
    timing.end_pelican()


def register():
    signals.initialized.connect(pelican_read)
    signals.all_generators_finalized.connect(pelican_write)
    signals.finalized.connect(pelican_done)
    signals.get_writer.connect(get_writer)
    signals.static_generator_finalized.connect(pelican_site.drop_unpublishable_scans)
    signals.static_generator_finalized.connect(incremental.drop_partial_copies)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(pelican_site.skip_kept_documents)
    signals.generator_init.connect(pelican_site.configure_jinja)
    signals.get_generators.connect(get_generators)
