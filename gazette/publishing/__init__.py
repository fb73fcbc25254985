"""Publishing: what makes the built site a good citizen of the web, written after the pages.

Stages, in the order `publish` runs them (one module each):
links (what each document links to) → opendata (catalogue.json/.csv, issues.json,
documents/<slug>.json) → subscriptions (Atom feeds per issuer, type, subject; validity changes)
→ redirects (renamed slugs, ELI-style short paths) → sitemap (sitemap.xml, robots.txt) →
pdf (documents/<slug>.pdf) → published_scans (scans/, redacted) → compress (.gz / .br copies, last: it sees every file).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
from dataclasses import dataclass, field

from ..model import document_json_url
from ..project import FULL_BUILD, BuildMode, Project
from ..site import SiteModel
from . import compress, document_pdf as pdf, opendata, published_scans, redirects, sitemap, subscriptions
from .links import LinkPlan, PublishingSettings, plan_links
from .. import incremental
from .output import KeyedFiles, absolute_site_url, output_manifest, write_text

log = logging.getLogger(__name__)

__all__ = ["publish", "compress_output", "PublishResult", "PublishingSettings", "plan_links"]


@dataclass
class PublishResult:
    files: list[str] = field(default_factory=list)     # site paths written or confirmed (not PDFs)
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pdf: pdf.PdfResult | None = None
    scans: published_scans.ScanResult | None = None
    compressed: compress.CompressResult | None = None


def publish(model: SiteModel, project: Project, static_pages: list[str] = (), plan: LinkPlan | None = None,
            compress: bool = True, pdf_workers: int = 2, mode: BuildMode = FULL_BUILD) -> PublishResult:
    """Write every publishing output of `model` into the project's output folder.

    A build that publishes while its pages and search indexes are still being made passes
    `compress=False` (the .gz/.br copies are made by `compress_output` once every file is there)
    and `pdf_workers=1` (the cores are busy already; worker processes would each hold a copy of
    what they inherit)."""
    settings = project.settings
    output_dir = project.settings["OUTPUT_PATH"]
    opts = project.publishing
    content_dir = settings["PATH"]
    plan = plan or plan_links(model, content_dir, opts)
    script = project.script
    site_name = settings.get("SITENAME", "")
    site_url = absolute_site_url(settings)
    result = PublishResult()
    # Partitioned builds (docs/scaling.md): a partition writes its own documents' files, the
    # assembly run writes the site-wide ones over the merged output, a full build writes both.
    site_wide = mode.site_wide
    mine = mode.writes_document

    expected: set[str] = set()  # every per-document file of the whole site, whoever writes it

    def put(path: str, text: str, write: bool = True) -> None:
        expected.add(path)
        if write:
            write_text(os.path.join(output_dir, path), text)
            result.files.append(path)

    # Open data. Each document's JSON is keyed by its fields and its body (KeyedFiles): an edit-one
    # rebuild makes one, not every document's text and JSON again (at 10,000 documents a third of
    # the publishing stage). With the model's inputs those of the last build (incremental.model_key)
    # a document whose file is unchanged is not even keyed, and the catalogue files are kept.
    issues = {i.key: i for i in model.issues}
    state = incremental.current()
    keyed = (KeyedFiles(output_manifest(project.cache_dir, "files", output_dir), output_dir, state.global_fp,
                        as_left=incremental.output_as_left(state)) if state is not None else None)
    model_inputs = state.model if state is not None else None

    def record(doc) -> dict:
        return opendata.document_record(model, doc, plan.links[doc.slug], script, site_url)

    for doc in model.documents:
        path = document_json_url(doc.slug)  # what its links name (not worked out for a kept file)
        expected.add(path)
        if not mine(doc):
            continue
        inputs = _document_inputs(model_inputs, doc)
        if keyed and keyed.same_inputs(path, inputs):
            continue
        fields = opendata.document_fields(record(doc), issues.get(doc.gazette), model.as_of)
        key = keyed and _json_key(fields, doc)
        if keyed and keyed.fresh(path, key, inputs):
            continue
        put(path, opendata.document_json(fields, model.text_of(doc)))
        if keyed:
            keyed.written(path, key, inputs)
    if site_wide:
        records = functools.cache(lambda: [record(doc) for doc in model.documents])
        for path, make in (("catalogue.json", lambda: opendata.catalogue_json(records(), model, site_name)),
                           ("catalogue.csv", lambda: opendata.catalogue_csv(records())),
                           ("issues.json", lambda: opendata.issues_json(model, site_name, site_url))):
            expected.add(path)
            if keyed and keyed.same_inputs(path, model_inputs):  # made of the model alone
                continue
            put(path, make())
            if keyed:
                keyed.written(path, "", model_inputs)

        # Feeds: a group's is made of the model and its newest documents' text (their files).
        for dim, value, path, docs in subscriptions.feed_groups(model):
            inputs = _inputs(model_inputs, [getattr(d, "source_digest", None) for d in docs])
            if keyed and keyed.same_inputs(path, inputs):
                expected.add(path)
                continue
            put(path, subscriptions.group_feed(model, dim, value, docs, site_name, script, site_url).text)
            if keyed:
                keyed.written(path, "", inputs)
        feed = subscriptions.validity_feed(model, site_name, script, site_url, opts.validity_feed_days)
        put(feed.path, feed.text)

    # Permanent identifiers: written with the document they lead to.
    planned, warnings = redirects.plan_redirects(model, plan)
    result.warnings += warnings
    by_url = {d.url: d for d in model.documents}
    ours = [r for r in planned if mine(by_url[r.target])]
    expected.update(r.path for r in planned)
    if not (keyed and keyed.same_group("redirects", model_inputs)):  # made of the model alone
        for r in ours:
            put(r.path, redirects.redirect_html(r, site_name, script, site_url))
        if keyed:
            keyed.made_group("redirects", model_inputs, [r.path for r in ours])

    # Sitemap and robots.txt.
    if site_wide:
        kept = keyed.same_group("sitemap", model_inputs) if keyed else None  # made of the model alone
        if kept is not None:
            expected.update(kept)
        else:
            files = sitemap.sitemap_files(sitemap.sitemap_entries(model, list(static_pages)), site_url)
            files["robots.txt"] = sitemap.robots_txt(site_url)
            for path, text in files.items():
                put(path, text)
            if keyed:
                keyed.made_group("sitemap", model_inputs, files)

    # Downloads.
    if opts.pdf:
        stamps = pdf.status_stamps(model, script)
        jobs = pdf.plan_pdfs([d for d in model.documents if mine(d)], plan.pdf_kinds, issues, content_dir,
                             site_name, stamps)
        result.pdf = pdf.write_pdfs(jobs, output_dir, os.path.join(project.cache_dir, "pdf"), workers=pdf_workers)
        # The cache keeps only the PDFs of the documents listed now, in every build: a partition's
        # cache of its own (a CI job's) kept a document's PDF after it was withheld (review 21).
        every = jobs if site_wide and mode.writes_documents else pdf.plan_pdfs(
            model.documents, plan.pdf_kinds, issues, content_dir, site_name, stamps)
        pdf.forget_pdfs(every, os.path.join(project.cache_dir, "pdf"))
        result.warnings += [f"未能生成 PDF：{f}" for f in result.pdf.failed or []]
    elif mode.writes_documents:
        pdf.forget_pdfs([], os.path.join(project.cache_dir, "pdf"))

    # Scanned originals: issue scans redacted where they hold pages that may not be published.
    result.scans = published_scans.write_scans(model, content_dir, output_dir, os.path.join(project.cache_dir, "scans"),
                                               site_name, script, mine, site_wide)
    result.warnings += [f"扫描件未发布：{f}" for f in result.scans.failed]

    # A partition run removes per-document files too: its output folder may be an earlier full
    # build's (a local run, a CI cache), with the page of a document withheld since.
    if not incremental.nothing_stale(state):
        result.removed = remove_stale(model, output_dir, expected, set(plan.pdf_kinds) if opts.pdf else set(),
                                      _SUBS if site_wide else _PER_DOCUMENT_SUBS)
    if keyed:
        keyed.save()
    if compress:
        result.compressed = compress_output(project, mode)
    for w in result.warnings:
        log.warning(w)
    return result


def compress_output(project: Project, mode: BuildMode = FULL_BUILD,
                    search_index: bool | None = None) -> compress.CompressResult | None:
    """The .gz/.br copies of the output's text files (unless GAZETTE_COMPRESS is off): all of them,
    or (`search_index` False) all but the browser's search index, or (True) only its files. A build
    compresses the pages while the index is still being written, then the index."""
    from ..search.names import INDEX_DIR

    opts = project.publishing
    output_dir = project.settings["OUTPUT_PATH"]
    if not opts.compress:
        if not search_index:
            compress.remove_copies(output_dir)
        return None
    # The index's own manifest: its pass does not read and write the 30,000 entries of the pages'.
    manifest = output_manifest(project.cache_dir, "compress-index" if search_index else "compress", output_dir)
    # A partition compresses only its own documents' files; shared assets are compressed once,
    # by the assembly run.
    only = None if mode.site_wide else ("documents", "eli")
    if search_index:
        if not mode.site_wide:
            return None
        only = (INDEX_DIR,)
    return compress.compress_tree(output_dir, opts.brotli_quality, manifest_path=manifest, only=only,
                                  skip=(INDEX_DIR,) if search_index is False else (),
                                  as_left=incremental.output_as_left())


_OWNED = (re.compile(r"^documents/[^/]+\.(json|pdf)$"), re.compile(r"^feeds/(issuer|type|subject)/[^/]+\.atom\.xml$"),
          re.compile(r"^eli/.+/index\.html$"), re.compile(r"^sitemaps/sitemap-\d+\.xml$"),
          re.compile(r"^documents/[^/]+\.html$"))


_SUBS, _PER_DOCUMENT_SUBS = ("documents", "feeds", "eli", "sitemaps"), ("documents", "eli")


def _document_inputs(model_inputs: str | None, doc) -> str | None:
    """What a document's own files are made of, named without reading them: the model's inputs
    and the digest of its file (None when either is unknown)."""
    return _inputs(model_inputs, [getattr(doc, "source_digest", None), str(doc.is_public)])


def _inputs(model_inputs: str | None, parts: list) -> str | None:
    """A hash of the model's inputs and `parts` (document files' digests…); None when any is unknown."""
    if not model_inputs or not all(parts):
        return None
    return hashlib.sha1("\0".join([model_inputs, *parts]).encode()).hexdigest()


def _json_key(fields: dict, doc) -> str:
    """What a document's JSON is made of: its fields, and its text by the body it is made from."""
    import json

    from ..render import HtmlCache

    data = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(f"{data}\0{doc.is_public}\0{HtmlCache.key(doc.body)}".encode()).hexdigest()


def remove_stale(model: SiteModel, output_dir: str, written: set[str], pdf_slugs: set[str],
                 subs: tuple[str, ...] = _SUBS) -> list[str]:
    """Remove publishing outputs an earlier build left behind that this build no longer makes:
    the JSON, PDF, feed and redirect files of a document since withheld, renamed or deleted, and
    its page (documents/<slug>.html that is neither a listed document nor a redirect)."""
    from .compress import SUFFIXES

    keep = set(written) | {d.url for d in model.documents}
    keep |= {f"documents/{slug}.pdf" for slug in pdf_slugs}
    removed = []
    gone: set[str] = set()  # folders removed (emptied)
    for sub in subs:
        top = os.path.join(output_dir, sub)
        for folder, names, folders in _walk_up(top, sub):
            left = len(names)
            for name in names:
                # A copy goes with its file (below); none of the owned names is a copy.
                if name.endswith(SUFFIXES):
                    continue
                path = f"{folder}/{name}"  # the site path: no relpath (99,000 files at 10,000 documents)
                if path in keep or not any(p.match(path) for p in _OWNED):
                    continue
                for copy in ("", ".gz", ".br"):  # and its precompressed copies
                    if os.path.exists(os.path.join(output_dir, path + copy)):
                        os.remove(os.path.join(output_dir, path + copy))
                        left -= 1
                removed.append(path)
            # Emptied (or empty): removed. Only such a folder is listed again (10,000 short
            # addresses are 10,000 folders).
            if folder != sub and left == 0 and all(f"{folder}/{d}" in gone for d in folders) \
                    and not os.listdir(os.path.join(output_dir, folder)):
                os.rmdir(os.path.join(output_dir, folder))
                gone.add(folder)
    return sorted(removed)


def _walk_up(top: str, rel: str):
    """(site path of each folder under `top`, its file names, its folders' names), the deepest
    folders first, as os.walk(topdown=False) but naming folders by site path. Symlinks are not
    followed."""
    try:
        entries = list(os.scandir(top))
    except OSError:
        return
    files, folders = [], []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            folders.append(entry.name)
            yield from _walk_up(entry.path, f"{rel}/{entry.name}")
        elif not entry.is_dir():  # a link to a folder is neither entered nor removed
            files.append(entry.name)
        else:
            folders.append(entry.name)  # a link to a folder: the folder is not empty
    yield rel, files, folders
