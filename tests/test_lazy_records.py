"""Search records keyed without their text: the render cache's digest and length stand for it, so an
index reads the text of the records that changed only (at 10,000 documents each search child read
and hashed every text of an edit-one rebuild)."""

from __future__ import annotations

import os
import pickle

from gazette.render import HtmlCache, text_digest
from gazette.search.browser_index import INDEX_DIR, build_browser_index
from gazette.search.records import records_from_site
from gazette.search.terms import record_key
from gazette.search.whoosh_index import search, update_index
from search_archive import site_model, write_archive
from test_search_bundle import index_texts


class Reads:
    """A site model's text source through the render cache, counting the texts read."""

    def __init__(self, content: str, cache_path: str):
        self.model = site_model(content)
        self.html = HtmlCache(cache_path, "test")
        self.html.fill(d.body for d in self.model.public_documents)
        self.read: list[str] = []
        self.facts = self.html.text_facts
        self.model.texts = self

    def text(self, body: str) -> str:
        self.read.append(body)
        return self.html.text(body)

    def text_facts(self, body: str):
        return self.facts(body)

    def records(self):
        return records_from_site(self.model)

    def close(self):
        self.html.close()


def _edit(content: str, slug: str, line: str) -> None:
    with open(os.path.join(content, "documents", f"{slug}.md"), "a", encoding="utf-8") as f:
        f.write(line)


def test_a_lazy_record_is_the_record_its_text_makes(tmp_path):
    content = write_archive(str(tmp_path))
    reads = Reads(content, str(tmp_path / "cache" / "html.sqlite"))
    lazy, eager = reads.records(), records_from_site(site_model(content))
    assert reads.read == []  # made and keyed without a text read
    keys = [(r.content_hash(), record_key(r, "zh-Hans"), r.text_length, r.text_digest()) for r in lazy]
    assert reads.read == []
    assert keys == [(r.content_hash(), record_key(r, "zh-Hans"), len(r.body), text_digest(r.body)) for r in eager]
    assert [r.body for r in lazy] == [r.body for r in eager] and len(reads.read) == 3  # the public ones, once
    assert lazy == eager
    fresh = reads.records()[0]
    assert pickle.loads(pickle.dumps(fresh)) == eager[0]  # a pickled record carries its text
    # a body not in the cache: read at once, hashed from the text
    reads.facts = lambda body: None
    assert [r.content_hash() for r in reads.records()] == [r.content_hash() for r in eager]
    reads.close()


def _many(n: int = 60) -> dict[str, str]:
    """`n` public documents of varied text (an edit of one leaves the archive's common bigrams as
    they were: a handful of documents would make it the whole index written again)."""
    words = "城市绿化道路挖掘占用审批许可收费标准管理办法实施细则养犬登记环境卫生市容"
    docs = {}
    for i in range(n):
        text = "".join(words[(i * k + k * k) % len(words)] for k in range(1, 90))
        docs[f"doc-{i:03d}"] = (f"title: 临海市第{i}号管理规定\ndate: 20{10 + i % 15:02d}-0{1 + i % 9}-1{i % 10}\n"
                                f"doc_number: 临政规〔20{10 + i % 15:02d}〕{i}号\nissuer: 临海市人民政府\n"
                                f"doc_type: 规范性文件\n\n第一条 {text}。\n")
    return docs


def test_the_indexes_read_only_the_text_of_the_record_that_changed(tmp_path):
    content = write_archive(str(tmp_path), _many())
    cache_dir, out, whoosh = str(tmp_path / "cache"), str(tmp_path / "out"), str(tmp_path / "whoosh")
    html = os.path.join(cache_dir, "html.sqlite")

    def run():
        reads = Reads(content, html)
        browser = build_browser_index(reads.records(), out, cache_dir=cache_dir)
        after_browser = len(reads.read)
        cli = update_index(reads.records(), whoosh, site_index=os.path.join(out, INDEX_DIR))
        reads.close()
        return browser, cli, after_browser, len(reads.read) - after_browser

    browser, cli, read_browser, read_cli = run()
    assert browser.written and read_browser == 60 and read_cli == 60 and len(cli.added) == 60
    browser, cli, read_browser, read_cli = run()  # nothing changed: nothing read
    assert not browser.written and (read_browser, read_cli, cli.unchanged) == (0, 0, 60)
    _edit(content, "doc-007", "\n第二条 行道树由园林部门统一养护。\n")
    browser, cli, read_browser, read_cli = run()
    assert browser.written and cli.updated == ["doc-007"] and (read_browser, read_cli) == (1, 1)
    assert [h.slug for h in search(whoosh, "行道树").hits] == ["doc-007"]
    # the index patched from lazy records is the one their texts make from nothing
    fresh = str(tmp_path / "fresh")
    build_browser_index(records_from_site(site_model(content)), fresh)
    assert index_texts(os.path.join(fresh, INDEX_DIR)) == index_texts(os.path.join(out, INDEX_DIR))


def test_damaged_text_facts_are_not_used(tmp_path):
    """A textfacts row of another type or a negative length (a damaged or tampered cache) is not
    used: the record reads its text and is keyed by it (review 21: a length of 'x' failed every build)."""
    content = write_archive(str(tmp_path))
    reads = Reads(content, str(tmp_path / "cache" / "html.sqlite"))
    eager = {r.slug: r.content_hash() for r in records_from_site(site_model(content))}
    for bad in ("'x'", "x'01'", "1.5", "-1"):
        reads.html.db.execute(f"UPDATE textfacts SET length = {bad}")
        reads.html._facts = None
        got = reads.records()
        assert {r.slug: r.content_hash() for r in got} == eager, bad
    reads.close()
