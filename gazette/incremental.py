"""Incremental builds: render only pages whose inputs changed, write only files whose bytes changed,
and remove outputs a previous build made that this one no longer makes (a document withdrawn or
withheld since must disappear from the site).

A page's fingerprint is a hash of everything its template is given; a build-wide fingerprint
covers the code, the theme, the settings and the as-of date. Same fingerprints → same bytes,
so the page is kept as it is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os

from . import build_context
from .fileio import is_temporary, temporary_name
from .model import Document, Issue
from .project import PER_DOCUMENT  # what partition runs write (the build modes' rule)

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def current() -> "BuildState | None":
    """The incremental state of the active build (None outside `gazette build`)."""
    build = build_context.current()
    return build.state if build is not None else None


def tree_digest(*folders: str) -> str:
    """Hash of every file under the folders (names and bytes), for code and theme changes."""
    h = hashlib.sha256()
    for folder in folders:
        for dirpath, dirnames, files in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".tmp")):
                    continue
                path = os.path.join(dirpath, name)
                h.update(os.path.relpath(path, folder).encode())
                with open(path, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _memo() -> dict:
    """Per-build memo of document fingerprints (values keep the document alive so ids stay unique)."""
    state = current()
    return state.memo if state is not None else {}


def document_page_fingerprint(doc: Document) -> str:
    """A document page shows the document, its validity, relations and issue: nothing else varies.

    Asked when the document is read and again when its page is written: computed once per build,
    and not at all when the last build's model had the same inputs (`model_key`) and the
    document's file is the one it read then (its fingerprint is then the one recorded)."""
    _doc_memo = _memo()
    key = id(doc)
    if key not in _doc_memo:
        state = current()
        fp = state.earlier_page(doc) if state is not None else None
        if fp is None:
            # its row (all but what the body makes), its file, and the documents its text cites
            fp = "doc:" + _digest({"row": document_row_fingerprint(doc), **_document_fields(doc, with_body=True)},
                                  _document_context(doc, cited=True))
        if state is not None:
            state.sources[doc.url] = getattr(doc, "source_digest", None)
        _doc_memo[key] = (fp, doc)  # keep doc alive: ids stay unique
    return _doc_memo[key][0]


def document_row_fingerprint(doc: Document) -> str:
    """What a listing, report or index page shows of a document: everything its page shows but what
    its body makes (the text and the citations in it), so a body edited leaves every listing as it
    was. Taken from the last build like `document_page_fingerprint`'s, when the model is the same."""
    state = current()
    rows = state.rows if state is not None else {}
    fp = rows.get(doc.url)
    if fp is None:
        fp = state.earlier_row(doc) if state is not None else None
        if fp is None:
            fp = "row:" + _digest(_document_fields(doc, with_body=False), _document_context(doc, cited=False))
        rows[doc.url] = fp
    return fp


def _document_fields(doc: Document, with_body: bool) -> dict:
    """A document's own part of its fingerprints: read through the header cache, its file's bytes
    (or, without the body, everything the file says but its body: `header_digest`) and its `scan`,
    which the archive may clear after reading (a scan that is not its own); else its fields."""
    digest = getattr(doc, "source_digest" if with_body else "header_digest", None)
    if digest is not None:
        return {"source": digest, "scan": doc.scan}
    fields = {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc) if f.name not in ("body", "source_path")}
    if with_body:
        fields["body"] = hashlib.sha1(doc.body.encode("utf-8")).hexdigest()
    return fields


def _digest(fields: dict, extra) -> str:
    return hashlib.sha256(_picture_json(dict(fields, _extra=extra)).encode()).hexdigest()


def model_key(global_fp: str, mode: str, content_dir: str, files: dict[str, bytes], headers: dict[str, str]) -> str:
    """The inputs of everything a build shows but each document's body: the inputs key's files
    (`build_shortcut.inputs_key(..., files)`), each document file read through the header cache by
    its `header_digest` (`headers`, by shown path) in place of its bytes. The model, and so every
    page's fingerprint but a document page's own body, is the same for the same key."""
    h = hashlib.sha256(f"{global_fp}|{mode}|".encode())
    for rel in sorted(files):
        header = headers.get(os.path.join(content_dir, rel))
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0" +
                 (b"header:" + header.encode() if header is not None else b"file:" + files[rel]) + b"\0")
    return h.hexdigest()


def made_of_the_model(group: str, make) -> None:
    """Make the files of `group`, which are made of the model alone (`make()` writes them and returns
    their names), unless the active build keeps them as the last one left them (BuildState.keep_group)."""
    state = current()
    if state is not None and state.keep_group(group):
        return
    names = make()
    if state is not None:
        state.made_group(group, names)


def compaction_needed(state: "BuildState | None" = None) -> bool:
    """Whether a cache that deleted rows must be compacted (cache_db.forget_all_but, the term cache):
    always but in a build whose model's inputs are those of the last build (`state`, else the active
    build's). Then no document's header changed, so none was withheld, removed, made a draft or put
    on request, and every row deleted is an older version of a public document's body: secure_delete
    zeroes it where it is, and a copy a B-tree balancing made earlier may stay in a live page's free
    gap until the next compaction, which the next build that changes any header makes. A build after
    one that did not complete compacts (`compact_all`): the killed one may have cached what another
    model made (a document public for the moment of its run)."""
    state = state or current()
    return state is None or not state.same_model or state.compact_all


def output_as_left(state: "BuildState | None" = None) -> bool:
    """True when the output was, at this build's start, file for file what the last completed build
    left (`BuildState.output_as_left`): what that build recorded of its files (the compressed copies',
    the keyed files' manifests) describes them without a look."""
    state = state or current()
    return state is not None and state.output_as_left


def nothing_stale(state: "BuildState | None" = None) -> bool:
    """True when the output cannot hold a file this build would remove as no longer made: the model's
    inputs are those of the last completed build (so is every file name it makes), whose clean-up
    left the output as it is now (`output_as_left`). The publishing clean-up's walk of 100,000
    files is then skipped."""
    state = state or current()
    return output_as_left(state) and state.same_model


def keeps_document_page(doc: Document) -> bool:
    """True when `doc`'s page is kept as the last build left it (its fingerprint unchanged, the file
    there). Decided once per build: when Pelican lists the content files (a kept document's file is
    not even opened: pelican_site.skip_kept_documents) and, for the others, when the file is read."""
    state = current()
    if state is None:
        return False
    decided = state.kept_documents
    if doc.url not in decided:
        decided[doc.url] = state.can_keep(doc.url, document_page_fingerprint(doc))
    return decided[doc.url]


def _picture_json(obj) -> str:
    """The JSON of `_stable(obj)`'s kind of picture: what JSON encodes natively (lists, tuples,
    strings, numbers: most of a document's context) by the C encoder, anything else through
    `_stable` (a set sorted, a date, a dataclass, a document by its fingerprint). Long lists of
    strings are not digested here: a document's context has none."""
    try:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, default=_stable)
    except (TypeError, ValueError):  # a dict keyed by tuples, say
        return json.dumps(_stable(obj), ensure_ascii=False, sort_keys=True, default=str)


def _stable(obj):
    """A JSON-able, deterministic picture of a template argument."""
    if obj is None or type(obj) in _PLAIN:  # most calls (1.9 M a rebuild at 10,000): answered first
        return obj
    if isinstance(obj, Document):
        # Its row's fingerprint: the same inputs but its body, one short string (a listing of
        # thousands of documents then hashes thousands of digests, not thousands of pictures).
        return document_row_fingerprint(obj)
    if isinstance(obj, Issue):
        return {f.name: _stable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _stable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        if all(type(k) is str and type(v) is str for k, v in obj.items()):
            return _strings(sorted(obj.items()))  # titles by slug
        return {str(k): _stable(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple, set, frozenset)):
        if all(type(v) is str for v in obj):  # slugs of a report's cells
            return _strings(sorted(obj) if isinstance(obj, (set, frozenset)) else list(obj))
        items = [_stable(v) for v in obj]
        return sorted(items, key=json.dumps) if isinstance(obj, (set, frozenset)) else items
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    # Pelican content objects: what matters is what they carry.
    doc = getattr(obj, "doc", None)
    if isinstance(doc, Document):
        return {"doc": _stable(doc), "content": hashlib.sha1(str(getattr(obj, "_content", "")).encode()).hexdigest()}
    for attr in ("save_as", "slug", "title"):
        if hasattr(obj, attr):
            return {"type": type(obj).__name__, attr: str(getattr(obj, attr)),
                    "content": hashlib.sha1(str(getattr(obj, "_content", "")).encode()).hexdigest()}
    return type(obj).__name__


_PLAIN = frozenset((str, int, float, bool))
_STRINGS_INLINE = 32


def _strings(items: list) -> object:
    """The picture of a list of strings (or of string pairs): itself when short, else its digest.

    A clean-up report's cells and an annual report's titles list thousands of slugs; pictured whole,
    73 annual pages were 37 MB of JSON to hash at 10,000 documents. JSON encodes the list without
    ambiguity, so the digest tells any two lists apart as the list itself would."""
    if len(items) <= _STRINGS_INLINE:
        return items
    blob = json.dumps(items, ensure_ascii=False)
    return {"strings": len(items), "sha256": hashlib.sha256(blob.encode()).hexdigest()}


def _document_context(doc: Document, cited: bool):
    """What a document's rendering reads beyond its own fields: evaluation, relations, its issue
    (build_context.page_context) or (`cited`) the documents its text cites."""
    build = build_context.current()
    if build is None:
        return None
    return build.cited_context(doc) if cited else build.page_context(doc)


def fingerprint(template_name: str, relative_urls: bool, kwargs: dict) -> str:
    data = {"template": template_name, "relative": relative_urls,
            "args": {k: _stable(v) for k, v in sorted(kwargs.items())}}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


@dataclasses.dataclass
class BuildStats:
    rendered: int = 0
    kept: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0


def record_path(cache_dir: str, prefix: str, output_dir: str, mode: str) -> str:
    """`<cache>/<prefix>-<hash>.json`: what builds of one mode record about one output folder (the
    outputs manifest, `outputs`; the no-change record, `completed`)."""
    key = hashlib.sha1(f"{os.path.abspath(output_dir)}|{mode}".encode()).hexdigest()[:12]
    return os.path.join(cache_dir, f"{prefix}-{key}.json")


def other_modes(cache_dir: str, output_dir: str, mode: str) -> list[str]:
    """The other build modes that have written into this output folder (full and assemble always
    counted; partitions as they are first seen, in `<cache>/modes-<hash>.json`, which holds only mode
    names): their records name this folder's files, documents withheld since among them."""
    path = record_path(cache_dir, "modes", output_dir, "")
    try:
        with open(path, encoding="utf-8") as f:
            seen = [m for m in json.load(f) if isinstance(m, str)]
    except (OSError, ValueError, TypeError):
        seen = []
    if mode not in seen:
        os.makedirs(cache_dir, exist_ok=True)
        write_bytes(path, json.dumps(sorted(set(seen) | {mode})).encode("utf-8"), record=False)
    return sorted((set(seen) | {"full", "assemble"}) - {mode})


_BY_PAGE = ("pages", "sources", "rows")  # the outputs manifest's tables keyed by an output file


def prune_other_records(cache_dir: str, output_dir: str, mode: str, changed: set[str] = frozenset()) -> None:
    """Drop from the other modes' outputs manifests (and their journals) every file no longer in the
    output folder. A document withheld and removed by this build would stay named there until a build
    of that mode ran again; nothing is lost, since a file that is not there needs no removing. The
    files this build wrote with other bytes (`changed`) lose their fingerprints there too: that mode's
    next build would otherwise keep this build's page as its own (a partition's page of an edit since
    reverted, kept by the next full build: review 17)."""
    output_dir = os.path.abspath(output_dir)
    there = lambda rel: os.path.lexists(os.path.join(output_dir, rel))  # noqa: E731
    ours = lambda rel: there(rel) and rel not in changed  # noqa: E731
    for other in other_modes(cache_dir, output_dir, mode):
        path = record_path(cache_dir, "outputs", output_dir, other)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            produced = data["produced"]
        except (OSError, ValueError, KeyError, TypeError):
            produced = data = None
        if isinstance(produced, list) and isinstance(data, dict):
            kept = dict(data, produced=[rel for rel in produced if isinstance(rel, str) and there(rel)])
            for table in _BY_PAGE:  # every table keyed by an output file
                if isinstance(data.get(table), dict):
                    kept[table] = {rel: v for rel, v in data[table].items() if ours(rel)}
                elif table in data:
                    kept[table] = {}
            if "groups" in data:  # a group one of whose files is gone or rewritten is planned again (keep_group)
                groups = data["groups"] if isinstance(data["groups"], dict) else {}
                kept["groups"] = {g: names for g, names in groups.items()
                                  if isinstance(names, list) and all(isinstance(r, str) and ours(r) for r in names)}
            if kept != data:
                write_bytes(path, json.dumps(kept, ensure_ascii=False).encode("utf-8"), record=False)
        journal = path + ".journal"
        try:
            with open(journal, encoding="utf-8", errors="replace") as f:
                lines = [line for line in f.read().split("\n") if line]
        except FileNotFoundError:
            continue
        kept_lines = [rel for rel in lines if there(rel)]
        if len(kept_lines) != len(lines):
            write_bytes(journal, "".join(f"{rel}\n" for rel in kept_lines).encode("utf-8"), record=False)


class BuildState:
    """Per-build record of outputs: fingerprints of pages and the set of files produced.

    Crash safety: the manifest is saved only when a build completes, so a killed build would leave
    pages on disk that the manifest does not describe (a listing written with a document that was
    withheld before the next build, kept by that build because its fingerprint matched the older
    manifest). So every file is entered in a journal next to the manifest before it is written;
    a build that finds a journal (its predecessor was killed) renders every page named there again
    and counts them among the files that may need removing. The journal goes when the manifest
    it belongs to is saved."""

    def __init__(self, output_dir: str, cache_dir: str, global_fp: str, mode: str = "full", model: str | None = None):
        self.output_dir = os.path.abspath(output_dir)
        self.cache_dir, self.mode = cache_dir, mode
        # One manifest per output folder and build mode: a partition run never removes another's files.
        self.manifest_path = self._manifest_path(cache_dir, mode)
        # The site-wide pages (listings, reports…) are written by full builds and by assemblies
        # alike: each removes those the other made last that it no longer makes (a browse page
        # of a subject only a document withheld since had).
        other = {"full": "assemble", "assemble": "full"}.get(mode)
        self.site_wide_before: set[str] = set()
        if other:
            try:
                with open(self._manifest_path(cache_dir, other), encoding="utf-8") as f:
                    self.site_wide_before = {rel for rel in json.load(f).get("produced", [])
                                             if not rel.startswith(PER_DOCUMENT)}
            except (OSError, ValueError, AttributeError):
                pass
        self.journal_path = self.manifest_path + ".journal"
        self.global_fp = global_fp
        self.previous = {"global": None, "pages": {}, "produced": []}
        try:
            with open(self.manifest_path, encoding="utf-8") as f:
                self.previous = json.load(f)
        except (FileNotFoundError, ValueError):
            pass
        unfinished = self._read_journal()
        if unfinished:
            for rel in unfinished:
                self.previous["pages"].pop(rel, None)
            self.previous["produced"] = sorted(set(self.previous.get("produced", [])) | unfinished)
            groups = self.previous.get("groups")
            if isinstance(groups, dict):  # a group a killed build wrote into is planned again
                self.previous["groups"] = {g: names for g, names in groups.items()
                                           if isinstance(names, list) and not unfinished.intersection(names)}
        self.same_global = self.previous.get("global") == global_fp
        # The model's inputs are those of the last build (model_key): every fingerprint but a
        # document page's own body is the one it recorded.
        self.model = model
        self.same_model = self.same_global and model is not None and self.previous.get("model") == model
        self.sources: dict[str, str | None] = {}  # document page → the file digest its fingerprint saw
        self.rows: dict[str, str] = {}  # document page → its row's fingerprint (document_row_fingerprint)
        self.groups: dict[str, list[str]] = {}  # files made together from the model alone (keep_group)
        self.changed: set[str] = set()  # files this build wrote with other bytes (prune_other_records)
        self.compact_all = False  # set by the build when the one before it did not complete (compaction_needed)
        # Set by the build: the output is file for file what the last completed build left (its
        # record, compared at the start: build_shortcut.Shortcut.untouched). That build wrote this
        # state's `previous`: every build forgets the record before it writes anything.
        self.output_as_left = False
        self.pages: dict[str, str] = {}
        self.produced: set[str] = set()
        self.stats = BuildStats()
        self.memo: dict[object, tuple] = {}
        self.kept_documents: dict[str, bool] = {}  # document page → kept (keeps_document_page)
        # The journal starts with what the killed builds before this one wrote: should this build
        # be killed too, the next one still knows.
        os.makedirs(cache_dir, exist_ok=True)
        write_bytes(self.journal_path, "".join(f"{rel}\n" for rel in sorted(unfinished)).encode("utf-8"),
                    record=False)
        self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND)
        self._journaled: set[str] = set(unfinished)

    def _manifest_path(self, cache_dir: str, mode: str) -> str:
        return record_path(cache_dir, "outputs", self.output_dir, mode)

    def _read_journal(self) -> set[str]:
        try:
            with open(self.journal_path, encoding="utf-8", errors="replace") as f:
                return {line for line in f.read().split("\n") if line}
        except FileNotFoundError:
            return set()

    def intend(self, path: str) -> None:
        """Enter `path` in the journal before it is written (see the class docstring)."""
        rel = self.rel(path)
        if rel not in self._journaled:
            self._journaled.add(rel)
            os.write(self._journal, f"{rel}\n".encode("utf-8"))

    def rel(self, path: str) -> str:
        return os.path.relpath(os.path.abspath(path), self.output_dir).replace(os.sep, "/")

    def earlier_page(self, doc: Document) -> str | None:
        """`doc`'s page fingerprint as the last build recorded it, when it still stands (same model,
        the same file read)."""
        if not self.same_model or getattr(doc, "source_digest", None) is None:
            return None
        if _recorded(self.previous, "sources", doc.url) != doc.source_digest:
            return None
        return _recorded(self.previous, "pages", doc.url)

    def earlier_row(self, doc: Document) -> str | None:
        """`doc`'s row fingerprint as the last build recorded it, when the model is the same."""
        return _recorded(self.previous, "rows", doc.url) if self.same_model else None

    def keep_group(self, group: str) -> bool:
        """True when the files of `group` (made together from the model alone: the site-wide pages,
        the validity report) may be kept as the last build left them without being planned: the
        model's inputs are the same and every one of them is there. They are then entered as kept."""
        groups = self.previous.get("groups")
        names = groups.get(group) if isinstance(groups, dict) else None
        if not self.same_model or not isinstance(names, list) or not all(
                isinstance(rel, str) and os.path.isfile(os.path.join(self.output_dir, rel)) for rel in names):
            return False
        pages = self.previous["pages"]
        for rel in names:
            if rel in pages:
                self.pages[rel] = pages[rel]
                self.stats.kept += 1
            self.produced.add(rel)
        self.groups[group] = names
        return True

    def made_group(self, group: str, names) -> None:
        """The files `group` consists of, made by this build (see keep_group)."""
        self.groups[group] = sorted({name.replace(os.sep, "/") for name in names})

    def note(self, name: str, fp: str) -> None:
        """Record a page's fingerprint decided elsewhere (document pages are decided when read)."""
        self.pages[name.replace(os.sep, "/")] = fp

    def can_keep(self, name: str, fp: str) -> bool:
        rel = name.replace(os.sep, "/")
        self.pages[rel] = fp
        if self.same_global and self.previous["pages"].get(rel) == fp and os.path.isfile(os.path.join(self.output_dir, rel)):
            self.produced.add(rel)
            self.stats.kept += 1
            return True
        self.stats.rendered += 1
        return False

    def record(self, path: str, changed: bool) -> None:
        self.produced.add(self.rel(path))
        if changed:
            self.changed.add(self.rel(path))
            self.stats.written += 1
        else:
            self.stats.unchanged += 1

    def finish(self) -> None:
        """Remove files an earlier build produced and this one did not; save the manifest."""
        for rel in sorted((set(self.previous.get("produced", [])) | self.site_wide_before) - self.produced):
            # A removed page takes its precompressed copies with it (they were made from the stale page).
            for victim in (rel, rel + ".gz", rel + ".br"):
                path = os.path.join(self.output_dir, victim)
                if os.path.abspath(path).startswith(self.output_dir + os.sep) and os.path.isfile(path):
                    os.remove(path)
                    self.produced.discard(victim)
                    self.stats.removed += 1
        data = {"global": self.global_fp, "model": self.model, "pages": self.pages, "produced": sorted(self.produced),
                "sources": {url: digest for url, digest in self.sources.items() if url in self.pages and digest},
                "rows": self.rows, "groups": {g: [rel for rel in names if rel in self.produced]
                                              for g, names in self.groups.items()}}
        write_bytes(self.manifest_path, json.dumps(data, ensure_ascii=False).encode("utf-8"), record=False)
        self.close()
        os.remove(self.journal_path)
        prune_other_records(self.cache_dir, self.output_dir, self.mode, self.changed)

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None


def _recorded(manifest: dict, table: str, key: str) -> str | None:
    """A string the last build's manifest recorded in `table` under `key` (None for anything else)."""
    value = manifest.get(table)
    value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


@contextlib.contextmanager
def build_state(output_dir: str, cache_dir: str, global_fp: str, mode: str = "full", model: str | None = None):
    """The incremental state of a build, saved when the block ends without an error.

    The caller hangs it on the active build context (`build.state`), where `current()` finds it."""
    state = BuildState(output_dir, cache_dir, global_fp, mode, model)
    try:
        yield state
        state.finish()
    finally:
        state.close()
        state.memo.clear()


def sweep_leftovers(*roots: str, folders: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[str]:
    """Remove what killed builds left under `roots` (but not in the folders `skip`): each entry
    `removed_if_leftover` says is one. Run while the build holds its lock, so nothing removed is
    still being written. Returns the paths removed. (A build sweeps its output and index while it
    pictures them: build_shortcut._snapshot.)"""
    removed = []
    skip = {os.path.abspath(p) for p in skip}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            kept = []
            for d in dirnames:
                path = os.path.join(dirpath, d)
                if os.path.abspath(path) in skip:
                    continue
                if removed_if_leftover(path, d, True, folders):
                    removed.append(path)
                else:
                    kept.append(d)
            dirnames[:] = kept
            removed += [os.path.join(dirpath, name) for name in filenames
                        if removed_if_leftover(os.path.join(dirpath, name), name, False, folders)]
    return removed


def removed_if_leftover(path: str, name: str, is_folder: bool, folders: tuple[str, ...] = ()) -> bool:
    """The one rule for what a killed build leaves: a temporary file of an atomic write (ours and
    fileio.write_atomic's: the browser index's state, the publishing manifests), or a folder whose
    name starts with one of `folders` (Pagefind's scratch folders). Such an entry is removed, and
    True returned (`name`: the last part of `path`)."""
    import shutil

    if is_folder:
        if folders and name.startswith(folders):
            shutil.rmtree(path, ignore_errors=True)
            return True
        return False
    if is_temporary(name):
        os.remove(path)
        return True
    return False


def write_bytes(path: str, data: bytes, record: bool = True) -> bool:
    """Write atomically unless the file already holds exactly these bytes. Returns True if written.

    `record` enters the file in this build's outputs, so that a later build that no longer makes it
    removes it; steps that manage their own leftovers (publishing) pass False."""
    _current = current()
    record = record and _current is not None
    try:
        if os.path.getsize(path) == len(data):
            with open(path, "rb") as f:
                if f.read() == data:
                    if record:
                        _current.record(path, False)
                    return False
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if record:
        _current.intend(path)
    tmp = temporary_name(path)
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    if record:
        _current.record(path, True)
    return True


def write_text(path: str, text: str, record: bool = True) -> bool:
    return write_bytes(path, text.encode("utf-8"), record)


class _CompareOnClose(io.StringIO):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def __exit__(self, *exc):
        if exc[0] is None:
            write_text(self.path, self.getvalue())
        return super().__exit__(*exc)


def make_writer_class(base):
    """A Pelican Writer that skips pages whose fingerprint is unchanged and rewrites only changed bytes."""

    class IncrementalWriter(base):
        def write_file(self, name, template, context, relative_urls=False, paginated=None, template_name=None,
                       override_output=False, url=None, **kwargs):
            state = current()
            doc = getattr(kwargs.get("article"), "doc", None)
            if state is not None and isinstance(doc, Document):
                # Kept-or-not was decided when the document was read; only its fingerprint is recorded.
                state.note(name, document_page_fingerprint(doc))
            elif state is not None and name and not paginated:
                fp = fingerprint(getattr(template, "name", str(template)), relative_urls, kwargs)
                if state.can_keep(name, fp):
                    self._written_files.add(os.path.join(self.output_path, name))
                    return None
            return super().write_file(name, template, context, relative_urls, paginated, template_name,
                                      override_output, url, **kwargs)

        def _open_w(self, filename, encoding, override=False):
            # Pelican's duplicate-output rules, then a buffer written only if its bytes differ.
            from pelican.writers import FileOverwriteFailedError

            if filename in self._overridden_files:
                if override:
                    raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time')
                return open(os.devnull, "w", encoding=encoding)
            if filename in self._written_files and not override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" as it was already written')
            if override:
                self._overridden_files.add(filename)
            self._written_files.add(filename)
            return _CompareOnClose(filename)

    return IncrementalWriter


def drop_partial_copies(generator) -> None:
    """Pelican copies static files (scans) in place and skips one whose copy is newer than its
    source: a copy cut short by a killed build would stay truncated for ever. A copy whose size
    differs from its source's is removed here, before Pelican writes, so it is copied again."""
    for sf in getattr(generator, "staticfiles", []):
        source = os.path.join(generator.path, sf.source_path)
        copy = os.path.join(generator.output_path, sf.save_as)
        try:
            if os.path.getsize(copy) != os.path.getsize(source):
                os.remove(copy)
        except OSError:
            continue
