"""Browser search: the Pagefind bundle under `<output>/pagefind/`, built through Pagefind's Python API.

Each document becomes one custom record whose content is our token stream (see
`normalise.tokens`), not its text: Pagefind's own Chinese segmenter neither folds scripts
nor cuts Traditional text into words. The record's language is `und`, so Pagefind splits
the stream on spaces and stems nothing. The original text travels in the record's meta,
and the page maps Pagefind's word locations (token i = character i) back onto it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
from dataclasses import dataclass

from ..labels import FLAG_LABELS, STATUS_LABELS, localise
from .normalise import fold_table, number_word, tokens
from .records import SearchRecord

PAGEFIND_DIR = "pagefind"
FOLD_FILE = "gazette-fold.json"
INDEX_LANGUAGE = "und"
# The title is indexed twice: a match there should outrank one deep in a long body.
TITLE_REPEAT = 2


@dataclass
class BrowserIndexStats:
    records: int
    bundle_dir: str
    bundle_bytes: int


def record_content(record: SearchRecord) -> tuple[str, int]:
    """Token stream Pagefind indexes, and how many tokens come before the body."""
    head: list[str] = []
    for _ in range(TITLE_REPEAT):
        head += [t for t, _ in tokens(record.title)]
    if record.number_key:
        head += [t for t, _ in tokens(record.number_key)]
        head.append(number_word(record.doc_number))
    for issuer in record.issuer:
        head += [t for t, _ in tokens(issuer)]
    body = [t for t, _ in tokens(record.body)]
    return " ".join(head + body), len(head)


def record_meta(record: SearchRecord, site_script: str) -> dict[str, str]:
    return {
        "title": record.title,
        "number": record.doc_number,
        "issuer": "；".join(record.issuer),
        "date": record.date,
        "status": record.status,
        "status_label": localise(STATUS_LABELS[record.status], site_script),
        "flag": record.flag,
        "flag_label": localise(FLAG_LABELS[record.flag], site_script) if record.flag else "",
        "disclosure": record.disclosure,
        "script": record.script,
        "text": record.body,
    }


def fold_payload() -> dict[str, str]:
    """The per-character folding table for the browser: two strings, `from[i]` folds to `to[i]`."""
    table = {chr(k): v for k, v in fold_table().items() if k > 0x2FFF and k != 0x3000}
    keys = sorted(table)
    return {"from": "".join(keys), "to": "".join(table[k] for k in keys)}


def _prompt_service_class():
    from pagefind.service import PagefindService

    class PromptService(PagefindService):
        """Pagefind's service, its responses read as soon as they arrive.

        The stock reader sleeps 0.1 s before each response, which caps indexing at ten
        records a second (2.5 minutes for 1,500 documents); and when it fails (a message
        over its buffer limit, the binary exiting) it dies silently and the build hangs.
        This one fails every pending call instead.
        """

        async def launch(self):
            await super().launch()
            stdout = self._backend.stdout
            if hasattr(stdout, "_limit"):  # an error response echoes the whole request back
                stdout._limit = max(stdout._limit, 2**27)
            return self

        async def _wait_for_responses(self) -> None:
            try:
                while True:
                    output = await self._backend.stdout.readuntil(b",")
                    resp = json.loads(base64.b64decode(output[:-1]))
                    if resp is None:
                        continue
                    payload = resp.get("payload") or {}
                    message_id = resp.get("message_id")
                    if message_id is None and payload.get("original_message"):
                        message_id = json.loads(payload["original_message"]).get("message_id")
                    future = self._responses.get(message_id)
                    if future is None or future.done():
                        continue
                    if payload.get("type") == "Error":
                        future.set_exception(RuntimeError(f"Pagefind: {payload.get('message')}"))
                    else:
                        future.set_result(payload)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - every waiting call must hear about it
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(RuntimeError(f"Pagefind service failed: {e!r}"))

    return PromptService


async def _write_bundle(records: list[SearchRecord], bundle_dir: str, site_script: str) -> None:
    from pagefind.index import IndexConfig

    service = await _prompt_service_class()().launch()
    try:
        index = await service.create_index(IndexConfig(output_path=bundle_dir))

        async def add(record: SearchRecord) -> None:
            content, skip = record_content(record)
            meta = record_meta(record, site_script)
            meta["skip"] = str(skip)
            await index.add_custom_record(url=record.url, content=content, language=INDEX_LANGUAGE,
                                          meta=meta, filters=record.filters(site_script),
                                          sort={"date": record.date})

        # A few requests in flight keep the service busy without flooding its pipe.
        for start in range(0, len(records), 8):
            await asyncio.gather(*(add(r) for r in records[start:start + 8]))
        await index.write_files(output_path=bundle_dir)
    finally:
        await service.close()


def build_browser_index(records: list[SearchRecord], output_dir: str, site_script: str = "zh-Hans") -> BrowserIndexStats:
    """Write the Pagefind bundle and the folding table into `<output_dir>/pagefind/`."""
    bundle_dir = os.path.abspath(os.path.join(output_dir, PAGEFIND_DIR))
    # A stale bundle could still hold a document withheld since the last build.
    shutil.rmtree(bundle_dir, ignore_errors=True)
    asyncio.run(_write_bundle(records, bundle_dir, site_script))
    with open(os.path.join(bundle_dir, FOLD_FILE), "w", encoding="utf-8") as f:
        json.dump(fold_payload(), f, ensure_ascii=False, separators=(",", ":"))
    # Pagefind's own UI files and playground are not used by the gazette's search page.
    for name in os.listdir(bundle_dir):
        if name.startswith(("pagefind-ui", "pagefind-component-ui", "pagefind-modular-ui")):
            os.remove(os.path.join(bundle_dir, name))
    size = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(bundle_dir) for n in ns)
    return BrowserIndexStats(records=len(records), bundle_dir=bundle_dir, bundle_bytes=size)
