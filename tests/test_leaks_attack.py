"""Leaks found by attacking main merged with the first round of issue 12's fixes: inputs and
workflows the earlier tests had not tried. Each test reproduces one finding (it failed before its
fix) and runs the leak scanner (tests/leakscan.py) over the output and the caches.

ATTACK_INPUTS counts the hostile inputs tried here.
"""

from __future__ import annotations

import os

from leakscan import find_leaks
from test_leaks_inputs import build, doc_text, write

ATTACK_INPUTS: list[str] = []


def secret(n: int) -> dict:
    """A withheld document's fields; its markers are title, number and body."""
    return {"title": f"关于第{n}号内部储备事项的不予公开决定", "doc_number": f"临密〔2024〕{n}号",
            "body": f"第一条　编号{n}的储备库点位置属于内部事项，不得出现在网站的任何地方。"}


def markers(*docs: dict) -> list[str]:
    return [v for d in docs for v in (d["title"], d["doc_number"], d["body"][4:])]


def withheld_text(fields: dict, **extra) -> str:
    return doc_text(title=fields["title"], date="2024-03-01", doc_number=fields["doc_number"],
                    disclosure="不予公开", body=fields["body"], **extra)


def small_archive(root):
    """One issue with one public document and one static page."""
    content = root / "content"
    write(content / "issues" / "2024-01.md", "title: 2024年第1期\nyear: 2024\nnumber: 1\ndate: 2024-01-10\n\n")
    write(content / "documents" / "ok.md", doc_text(title="正常公开的通知", date="2024-01-10", gazette="2024-01",
                                                    doc_number="临政〔2024〕1号"))
    write(content / "pages" / "about.md", "title: 关于本站\n\n本站发布临澜市政府公报。\n")
    return content


def leaks(root, site, docs) -> list:
    return find_leaks(str(site), markers(*docs), roots_extra=[str(root / "cache")])


# -- Pelican reads only what the archive read ---------------------------------------------------

def test_files_the_archive_does_not_read_are_never_rendered(tmp_path):
    """Pelican's own Markdown reader took `.mkd`/`.mdown` files under documents/ (never read by
    the archive, so never checked for disclosure) and published them whole as articles; Pelican
    follows symlinked and hidden folders under pages/ that the archive does not walk, so a
    symlink to documents/ (or to a folder outside content/) published every file in it as a page."""
    content = small_archive(tmp_path)
    docs = [secret(n) for n in range(1, 7)]
    d, p = content / "documents", content / "pages"
    write(d / "2024" / "a.mkd", withheld_text(docs[0]))
    write(d / "2024" / "b.mdown", withheld_text(docs[1]))
    write(d / "2024" / "c.md", withheld_text(docs[2]))
    write(p / ".old" / "d.md", withheld_text(docs[3]))
    outside = tmp_path / "elsewhere"
    write(outside / "e.md", withheld_text(docs[4]))
    write(outside / "deeper" / "f.md", withheld_text(docs[5]))
    os.symlink(d, p / "linked")          # a folder of documents, withheld ones included
    os.symlink(outside, p / "outside")   # a folder outside content/
    os.symlink(outside, d / "outside")
    ATTACK_INPUTS.extend(["documents/*.mkd", "documents/*.mdown", "pages/.hidden/", "pages/symlink->documents",
                          "pages/symlink->outside", "documents/symlink->outside"])
    site = tmp_path / "site"
    result = build(content, site, tmp_path / "cache")
    assert (site / "documents" / "ok.html").exists() and (site / "pages" / "about.html").exists()
    assert leaks(tmp_path, site, docs) == []
    written = {str(f.relative_to(site)) for f in site.rglob("*.html")}
    assert not {w for w in written if w.startswith("pages/") and w != "pages/about.html"}, written
    assert result.documents == 1
