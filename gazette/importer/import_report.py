"""The import report: what each source became, and why anything was skipped or failed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

# Mean Tesseract word confidence below which a page or document is flagged for review.
LOW_CONFIDENCE = 80.0
LOW_PAGE_NOTE = "OCR 置信度低的页"
STATUSES = ("imported", "updated", "unchanged", "skipped", "failed")
STATUS_LABELS = {"imported": "新导入", "updated": "已更新", "unchanged": "未变化", "skipped": "已跳过",
                 "failed": "失败"}
FIELD_LABELS = {"title": "标题", "date": "发布日期", "doc_number": "文号", "issuer": "发文机关",
                "signed": "成文日期", "year": "年份", "number": "期号", "issue_date": "出版日期"}


@dataclass
class Output:
    path: str
    action: str            # created | updated | unchanged | skipped | failed
    reason: str | None = None
    missing: list[str] = field(default_factory=list)
    draft: str | None = None           # why it was written as a draft (review: pending), if it was
    confidence: float | None = None    # mean OCR confidence of its pages


@dataclass
class SourceResult:
    source: str
    kind: str | None = None
    status: str = "failed"
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)

    def settle(self) -> None:
        """The source's status from its outputs' actions."""
        acts = {o.action for o in self.outputs}
        if self.status == "failed" and not self.outputs:
            return
        if "failed" in acts:
            self.status = "failed"
        elif "created" in acts:
            self.status = "imported"
        elif "updated" in acts:
            self.status = "updated"
        elif acts and acts <= {"unchanged"}:
            self.status = "unchanged"
        else:
            self.status = "skipped"
        for o in self.outputs:
            if o.reason and o.reason not in self.reasons:
                self.reasons.append(o.reason)


@dataclass
class Report:
    into: str
    dry_run: bool = False
    results: list[SourceResult] = field(default_factory=list)
    manifest_errors: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.manifest_errors) or any(r.status == "failed" for r in self.results)

    def counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    def to_json(self) -> str:
        data = {"into": self.into, "dry_run": self.dry_run, "counts": {s: self.counts().get(s, 0) for s in STATUSES},
                "manifest_errors": self.manifest_errors, "figures": self.figures,
                "sources": [asdict(r) for r in self.results]}
        return json.dumps(data, ensure_ascii=False, indent=1)

    def to_text(self) -> str:
        c = self.counts()
        head = "导入预演（未写入任何文件）" if self.dry_run else "导入完成"
        lines = [f"{head}：{self.into}",
                 "，".join(f"{STATUS_LABELS[s]} {c.get(s, 0)}" for s in STATUSES)]
        for e in self.manifest_errors:
            lines.append(f"清单错误：{e}")
        for status in ("failed", "skipped"):
            for r in self.results:
                if r.status == status:
                    lines.append(f"[{STATUS_LABELS[status]}] {r.source}：{'；'.join(r.reasons) or '无原因'}")
        missing = Counter(m for r in self.results for o in r.outputs for m in o.missing)
        if missing:
            lines.append("未能识别（已留空，未编造）：" + "，".join(
                f"{FIELD_LABELS.get(k, k)} {n} 件" for k, n in missing.most_common()))
        drafts = [(r, o) for r in self.results for o in r.outputs if o.draft and o.action != "failed"]
        if drafts:
            lines.append(f"写为草稿、待审核（不会发布，gazette check 列出）：{len(drafts)} 件")
            for r, o in drafts:
                lines.append(f"  [草稿] {o.path}（{r.source}）：{o.draft}")
        for r in self.results:
            for o in r.outputs:
                if o.confidence is not None and o.confidence < LOW_CONFIDENCE:
                    lines.append(f"  [OCR 置信度低] {o.path}（{r.source}）：{o.confidence:.0f}")
        for r in self.results:
            empty = [(o.path, o.missing) for o in r.outputs if o.missing and o.action != "failed"]
            for path, fields in empty:
                lines.append(f"  [留空] {path}（{r.source}）："
                             + "、".join(FIELD_LABELS.get(k, k) for k in fields))
        for r in self.results:
            for n in r.notes:
                if n.startswith(LOW_PAGE_NOTE):
                    lines.append(f"  [OCR 置信度低] {r.source}：{n}")
        detected = [r.source for r in self.results if any("自动识别" in n for n in r.notes)]
        if detected:
            lines.append("文件边界为自动识别（请核对）：" + "、".join(detected))
        f = self.figures
        if f:
            lines.append(f"用时 {f.get('seconds', 0)} 秒：文本来源 {f.get('text_sources', 0)} 件，"
                         f"PDF {f.get('pdf_pages', 0)} 页（其中 OCR {f.get('ocr_pages', 0)} 页）")
        return "\n".join(lines) + "\n"
