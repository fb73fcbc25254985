"""One import run: read every source (on all cores), then write the archive and the report.

Reading happens in worker processes; writing happens here, in one place, so the state file
and the idempotency checks see every file in order.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from typing import Callable, Iterable

from .. import metadata as md
from ..background import TaskPool
from ..build_lock import exclusive
from ..archive import normalise_doc_number
from ..model import disclosure_of, read_document, read_header, read_issue
from . import scanned_issue as pdfmod
from .legacy import read_legacy
from .manifest import Manifest, ManifestRow, load_manifest
from .import_report import Output, Report, SourceResult
from .sources import DocDraft, Parsed, Source, SourceError, detect_kind, walk
from .textcoll import read_collection_file
from .writer import (LOCK_FILE, State, UnsafePath, atomic_copy, remove_temporary_files, atomic_write, document_relpath, document_slug,
                     plan_write, render, safe_target, sha256_bytes, sha256_file)

REQUIRED_LABELS = {"title": "标题", "date": "发布日期"}
Progress = Callable[[Iterable, int, str], Iterable]


def _no_progress(items, length, label):
    return items


def read_source(args: tuple[Source, list[ManifestRow]]) -> tuple[Parsed | None, str | None, str | None]:
    """Read one non-PDF source (in a worker): (parsed, kind, error)."""
    source, rows = args
    try:
        kind = detect_kind(source.path)
        source.kind = kind
        if kind is None:
            return None, "unsupported", "不是可导入的文件类型（应为 PDF、HTML、Markdown 或文本）"
        if kind == "pdf":
            return None, kind, None  # handled by the PDF stage
        if kind == "markdown":
            draft = read_collection_file(source)
        else:
            draft = read_legacy(source, kind)
        parsed = Parsed(source=source, documents=[draft], notes=list(draft.notes))
        for r in rows:
            _apply_row(draft, r)
        return parsed, kind, None
    except Exception as e:  # one bad file never stops the batch
        return None, source.kind, read_problem(e)


def read_problem(error: Exception) -> str:
    """Why a source could not be read, for the import report (which names the file): in Chinese,
    PDFium's own errors included."""
    from ..pdf_files import PdfError, pdf_reason

    if isinstance(error, (SourceError, PdfError)):
        return str(error)
    if type(error).__module__.startswith("pypdfium2"):
        return f"无法读取 PDF：{pdf_reason(error)}"
    if isinstance(error, OSError):
        return f"无法读取：{error.strerror or error}"
    return f"读取出错：{type(error).__name__}: {error}"


def _apply_row(draft: DocDraft, row: ManifestRow) -> None:
    """The archivist's values win over recognised ones."""
    for k, v in row.values.items():
        if k in md.KEY_ALIASES and k not in ("year", "number", "serial"):
            draft.meta[k] = v
    draft.missing = [k for k in draft.missing if k not in draft.meta]


class Importer:
    def __init__(self, into: str, manifest: str | None = None, dry_run: bool = False, force: bool = False,
                 jobs: int | None = None, progress: Progress | None = None, ocr: bool = True,
                 keep_read: bool = False):
        self.into = into
        self.dry_run, self.force = dry_run, force
        self.jobs = jobs or os.cpu_count() or 1
        self.progress = progress or _no_progress
        self.ocr = ocr
        # With keep_read, the text of every PDF page as read (text layer or OCR), by source identity:
        # for checking that every character read reached a written file.
        self.read_texts: dict[str, list[str]] | None = {} if keep_read else None
        self.report = Report(into=into, dry_run=dry_run)
        self.manifest: Manifest | None = None
        if manifest:
            self.manifest = load_manifest(manifest)
            self.report.manifest_errors = [str(e) for e in self.manifest.errors]
            if self.manifest.ignored_columns:
                self.report.manifest_errors.append(
                    f"{manifest}:1: columns: 未知的列 {'、'.join(self.manifest.ignored_columns)}"
                    + md.expected("元数据的键，如 title、pages、doc_number、disclosure"))
        self.state = State(into)
        self._seen_keys: dict[str, str] = {}
        self._state_keys: dict[str, str] | None = None
        self._issue_owner: dict[str, str] = {}
        self._matched_rows: set[int] = set()

    def _rows(self, s: Source) -> list[ManifestRow]:
        rows = self.manifest.rows_for(s.identity, s.path) if self.manifest else []
        self._matched_rows.update(r.line for r in rows)
        return rows

    def run(self, arguments: list[str]) -> Report:
        """Import `arguments` (files and folders). One import at a time writes into an archive
        folder; what a killed import left there (temporary files) is removed first."""
        if self.dry_run:
            return self._run(arguments)
        os.makedirs(self.into, exist_ok=True)
        with exclusive(os.path.join(self.into, LOCK_FILE), f"档案目录 {self.into}", remove=True):
            remove_temporary_files(self.into)
            return self._run(arguments)

    def _run(self, arguments: list[str]) -> Report:
        t0 = time.perf_counter()
        sources, problems = walk(arguments, exclude=self.into)
        for path, reason, status in problems:
            self.report.results.append(SourceResult(source=path, status=status, reasons=[reason]))
        # A worker killed while reading (the OOM killer on a huge scan) costs only its source.
        pool = TaskPool(self.jobs) if self.jobs > 1 and sources else None
        with pool or nullcontext():
            parsed_list: list[tuple[Source, Parsed | None, str | None, str | None]] = []
            pdfs: list[Source] = []
            tasks = [(s, self._rows(s)) for s in sources]
            read = pool.map(read_source, tasks, on_death=_read_died) if pool else map(read_source, tasks)
            for (s, _), (parsed, kind, err) in zip(tasks, self.progress(read, len(tasks), "读取")):
                s.kind = kind
                if kind == "pdf" and not err:
                    pdfs.append(s)
                else:
                    parsed_list.append((s, parsed, kind, err))
            n_text = len(parsed_list)
            t_text = time.perf_counter() - t0
            t1 = time.perf_counter()
            pdf_results = self._read_pdfs(pdfs, pool)
            t_pdf = time.perf_counter() - t1
        order = {id(s): i for i, s in enumerate(sources)}
        all_results = sorted(parsed_list + pdf_results, key=lambda x: order.get(id(x[0]), 0))
        try:
            for s, parsed, kind, err in self.progress(all_results, len(all_results), "写入"):
                try:
                    self.write_source(s, parsed, kind, err)
                except Exception as e:  # a disk or permission problem: report it, go on
                    res = self.report.results[-1]
                    res.status = "failed"
                    res.reasons.append(f"写入出错：{type(e).__name__}: {e}")
        finally:
            # Even after an interruption, files already written are known as ours next time.
            if not self.dry_run and self.state.files:
                os.makedirs(self.into, exist_ok=True)
                self.state.save()
        if self.manifest:
            for r in self.manifest.rows:
                if r.line not in self._matched_rows:
                    self.report.manifest_errors.append(
                        f"{self.manifest.path}:{r.line}: source: '{r.source}' 与所给的来源都不匹配"
                        + md.expected("所导入文件的文件名或路径结尾"))
        total = time.perf_counter() - t0
        self.report.figures = {"seconds": round(total, 2), "text_sources": n_text,
                               "text_seconds": round(t_text, 2), "pdf_seconds": round(t_pdf, 2),
                               "pdf_pages": sum(p.pages for _, p, _, _ in pdf_results if p),
                               "ocr_pages": sum(p.ocr_pages for _, p, _, _ in pdf_results if p)}
        return self.report

    def _read_pdfs(self, pdfs: list[Source], pool) -> list:
        out = []
        layers = {}
        for s in pdfs:
            try:
                layers[s.path] = pdfmod.text_layer(s)
            except Exception as e:  # one bad file never stops the batch
                out.append((s, None, "pdf", read_problem(e)))
        errors: dict[str, str] = {}
        if self.ocr:
            pending = {path: pages.ocr for path, pages in layers.items() if pages.ocr}
            total = sum(len(v) for v in pending.values())
            for path, index, page, err in self.progress(self._ocr(pending, pool), total, "OCR"):
                if err:
                    errors.setdefault(path, err)
                else:
                    layers[path].layouts[index] = page
        for s in pdfs:
            if s.path not in layers:
                continue
            if s.path in errors:
                out.append((s, None, "pdf", errors[s.path]))
                continue
            if not self.ocr and layers[s.path].ocr:
                out.append((s, None, "pdf", f"{len(layers[s.path].ocr)} 页没有文字层，且已关闭 OCR"))
                continue
            if self.read_texts is not None:
                self.read_texts[s.identity] = layers[s.path].texts
            try:
                out.append((s, pdfmod.build_issue(layers[s.path], self._rows(s)), "pdf", None))
            except Exception as e:  # one bad file never stops the batch
                out.append((s, None, "pdf", read_problem(e)))
        return out

    def _ocr(self, pending: dict[str, list[int]], pool):
        """OCR every pending page of every PDF, on every core."""
        tasks = [(path, i, None) for path, pages in pending.items() for i in pages]
        yield from (pool.map(_safe_ocr, tasks, on_death=_ocr_died) if pool else map(_safe_ocr, tasks))

    # -- writing ---------------------------------------------------------------------------

    def write_source(self, s: Source, parsed: Parsed | None, kind: str | None, err: str | None) -> None:
        """Write what one source gave (or record why it gave nothing) and add it to the report."""
        res = SourceResult(source=s.identity, kind=kind)
        self.report.results.append(res)
        if err or parsed is None:
            res.status = "skipped" if kind == "unsupported" else "failed"
            res.reasons.append(err or "无法读取")
            return
        res.notes = list(parsed.notes)
        if parsed.issue and not self._write_issue(parsed, res):
            # Documents of an issue that could not be written would point at the wrong scan.
            res.settle()
            return
        for draft in parsed.documents:
            self._write_document(draft, res)
        if not parsed.documents and not parsed.issue:
            res.reasons.append("来源中没有识别出文件")
        res.settle()

    def _emit(self, relpath: str, data: bytes, res: SourceResult, identity: str, missing: list[str],
              extra: dict | None = None) -> Output:
        try:
            target = safe_target(self.into, relpath)
        except UnsafePath:
            out = Output(relpath, "failed", f"路径 {relpath} 会超出目标目录，已拒绝")
            res.outputs.append(out)
            return out
        new_hash = sha256_bytes(data)
        action, reason = plan_write(self.state, relpath, new_hash, self.force)
        out = Output(relpath, action, reason, missing)
        res.outputs.append(out)
        if action in ("created", "updated") and not self.dry_run:
            atomic_write(target, data)
        if action != "skipped" and not self.dry_run:
            self.state.files[relpath] = new_hash
            self.state.sources[identity] = dict(self.state.sources.get(identity, {}), output=relpath, **(extra or {}))
        return out

    def _write_issue(self, parsed: Parsed, res: SourceResult) -> bool:
        issue = parsed.issue
        key = issue.meta["scan"][len("scans/"):-len(".pdf")]
        rel = f"issues/{key}.md"
        if not issue.complete:
            # Year, number or date unknown: no issue file (it would not load); the scan is still kept.
            res.outputs.append(Output(rel, "skipped", None, issue.missing))
            return self._write_scan(issue, res)
        text = render(issue.meta, issue.body)
        try:
            read_issue(rel, text=text)
        except md.MetadataErrors as e:
            res.outputs.append(Output(rel, "failed", f"生成的期次信息无效：{e}"))
            return False
        # Two scans claiming one issue would overwrite each other's issue page and scan.
        owner = self._issue_owner.get(key) or next(
            (ident[:-len("#issue")] for ident, v in self.state.sources.items()
             if v.get("output") == rel and ident != issue.identity + "#issue"), None)
        if owner and owner != issue.identity:
            res.outputs.append(Output(rel, "failed", f"期号 {key} 已由 {owner} 导入（请在清单中用 issue 列区分）"))
            return False
        self._issue_owner[key] = issue.identity
        self._emit(rel, text.encode("utf-8"), res, issue.identity + "#issue", issue.missing)
        return self._write_scan(issue, res)

    def _write_scan(self, issue, res: SourceResult) -> bool:
        scan_rel = issue.meta["scan"]
        try:
            target = safe_target(self.into, scan_rel)
        except UnsafePath:
            res.outputs.append(Output(scan_rel, "failed", f"路径 {scan_rel} 会超出目标目录，已拒绝"))
            return False
        src_hash = sha256_file(issue.scan_from)
        action, reason = plan_write(self.state, scan_rel, src_hash, self.force)
        res.outputs.append(Output(scan_rel, action, reason))
        if action in ("created", "updated") and not self.dry_run:
            atomic_copy(issue.scan_from, target)
        if action != "skipped" and not self.dry_run:
            self.state.files[scan_rel] = src_hash
        return True

    def _write_document(self, d: DocDraft, res: SourceResult) -> None:
        review = list(d.review)
        missing_required = [k for k in ("title", "date") if not d.meta.get(k)]
        if missing_required:
            # Never invented, never dropped: the text is kept as a draft for an archivist to complete.
            review.append("未能识别" + "、".join(REQUIRED_LABELS[k] for k in missing_required)
                          + "（不会编造；请补全，或在清单中为此来源提供 title、date 列）")
        meta = dict(d.meta)
        if review:
            meta["review"] = "pending"
            meta["review_reason"] = "；".join(dict.fromkeys(review))
        draft = meta.get("review_reason")
        dup_key = None
        if d.meta.get("doc_number") and not missing_required:
            # Versions of one law share title and often number; the date tells them apart.
            dup_key = "|".join((normalise_doc_number(d.meta["doc_number"]), d.meta["title"], d.meta["date"]))
            if self._state_keys is None:
                self._state_keys = {v["key"]: ident for ident, v in self.state.sources.items() if v.get("key")}
            other = self._seen_keys.get(dup_key) or self._state_keys.get(dup_key)
            if other and other != d.identity:
                res.outputs.append(Output(d.identity, "skipped", f"与 {other} 是同一文件（文号、标题、日期相同），未重复导入"))
                return
            self._seen_keys[dup_key] = d.identity
        rel = self.state.output_for(d.identity)
        if not rel:
            slug = document_slug(d.identity, meta.get("date"), meta.get("doc_number"))
            rel = document_relpath(slug, meta.get("date"))
        kept = self._kept_disclosure(rel, meta)
        text = render(meta, d.body)
        try:
            read_document(rel, text=text)
        except md.MetadataErrors as e:
            res.outputs.append(Output(rel, "failed", f"生成的元数据无效：{e}", d.missing, draft, d.confidence))
            return
        out = self._emit(rel, text.encode("utf-8"), res, d.identity, d.missing, {"key": dup_key} if dup_key else None)
        out.draft, out.confidence = draft, d.confidence
        if kept and out.action == "updated" and not out.reason:
            out.reason = f"保留了人工标注的公开属性（disclosure: {kept}）"

    def _kept_disclosure(self, rel: str, meta: dict) -> str | None:
        """The disclosure an archivist gave the file a re-import (--force) replaces, when it is not
        public and the source says nothing stricter: the source cannot know it, and dropping it
        published the document. Put into `meta`; returned for the report."""
        path = os.path.join(self.into, *rel.split("/"))
        if not os.path.isfile(path):
            return None
        try:
            header = read_header(path)
        except md.MetadataErrors:
            return None
        old = disclosure_of(header)
        try:
            new = md.parse_disclosure(meta["disclosure"]) if meta.get("disclosure") else "public"
        except ValueError:
            new = "unreadable"
        if old == "public" or new != "public":
            return None
        meta["disclosure"] = header.fields["disclosure"][0].strip() if old in ("withheld", "on_request") else "withheld"
        return meta["disclosure"]


def _read_died(task, reason: str):
    source = task[0]
    return None, source.kind, f"读取时{reason}，重试一次仍失败"


def _ocr_died(task, reason: str):
    return task[0], task[1], None, f"第 {task[1] + 1} 页 OCR 时{reason}，重试一次仍失败"


def _safe_ocr(task):
    try:
        path, index, page = pdfmod.ocr_page(task)
        return path, index, page, None
    except Exception as e:
        return task[0], task[1], None, f"第 {task[1] + 1} 页 OCR 失败：{read_problem(e)}"


def run_import(sources: list[str], into: str, **kwargs) -> Report:
    """Import `sources` into the archive folder `into`; see `Importer` for the options."""
    return Importer(into, **kwargs).run(sources)
