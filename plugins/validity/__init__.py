"""Pelican plugin: publishes the clean-up report (清理结果 / 有效性报告).

Thin: the rows come from gazette.cleanup_report, built from the SiteModel the gazette_site plugin put
in the context as `gazette`. Writes validity/index.html, validity/report.json and report.csv, and the annual-report tables
validity/annual-YYYY.json / .csv.
"""

import os

from pelican import signals

from gazette.cleanup_report import build_report

PAGE = "validity/index.html"
NAME = "validity report"  # its files, as a group of the build's outputs (gazette.incremental.keep_group)


def _write(path, text):
    # Same bytes as before → file untouched (keeps mtimes stable for rsync uploads).
    from gazette.pelican_site import write_text
    write_text(path, text)


def publish_report(generators):
    generator = next((g for g in generators if "gazette" in g.context and hasattr(g, "get_template")), None)
    if generator is None:
        return  # no gazette model in this run (the gazette_site plugin is not enabled)
    model = generator.context["gazette"]
    settings = generator.settings
    from gazette.build_context import for_pelican

    if not for_pelican(settings).mode.site_wide:
        return  # a partition build writes documents only; the assembly writes the report
    from gazette import incremental

    # made of the model alone: kept when its inputs are those of the last build
    incremental.made_of_the_model(NAME, lambda: _write_report(generator, model, settings["OUTPUT_PATH"]))


def _write_report(generator, model, output: str) -> list[str]:
    """The report's page, its JSON and CSV, and the annual tables; returns their names."""
    from gazette.pages import annual_reports, annual_url
    from gazette.pelican_site import page_writer

    report = build_report(model)
    files = {"validity/report.json": report.to_json(), "validity/report.csv": report.to_csv()}
    for annual in annual_reports(model):  # the annual-report tables; their pages are in gazette.pages
        files[annual_url(annual.year, "json")] = annual.to_json()
        files[annual_url(annual.year, "csv")] = annual.to_csv()
    for rel, text in files.items():
        _write(os.path.join(output, rel), text)
    page_writer(output, generator.settings).write_file(
        PAGE, generator.get_template("validity_report"), generator.context, relative_urls=True,
        report=report, groups=report.groups(), review_cycle_years=model.settings.cycle_years,
        page_name="validity")
    return [PAGE, *files]


def register():
    signals.all_generators_finalized.connect(publish_report)
