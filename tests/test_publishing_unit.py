"""Publishing stages on small archives, without Pelican: permanent identifiers, validity changes,
sitemap, compression, PDFs, stale outputs."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os

import brotli
import pypdfium2
import pytest

from gazette import metadata as md
from gazette.archive import load_archive
from gazette.model import read_document
from gazette.project import BuildMode, load_project
from gazette.publishing import publish
from gazette.publishing import compress, sitemap
from gazette.publishing.changes import change_day, recent_changes
from gazette.publishing.links import eli_parts
from gazette.publishing.document_pdf import cut_pages, page_range, text_pdf
from gazette.site import SiteModel
from gazette.validity import ValiditySettings

AS_OF = dt.date(2026, 11, 22)


def write_doc(content, slug, **fields):
    body = fields.pop("body", "第一条　为规范管理，制定本办法。\n\n第二条　本办法自发布之日起施行。")
    head = "\n".join(f"{k}: {v}" for k, v in fields.items())
    path = content / "documents" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}\n\n{body}\n", encoding="utf-8")
    return path


def model_of(content, as_of=AS_OF):
    archive = load_archive(str(content))
    assert not archive.errors, archive.errors
    return SiteModel.build(archive, as_of, ValiditySettings(review_types=("规范性文件", "规章")))


def settings_for(content, tmp_path, **extra):
    return {"PATH": str(content), "SITENAME": "测试公报", "GAZETTE_CACHE_DIR": str(tmp_path / "cache"), **extra}


def project_of(settings, out):
    """The project `publish` works on: these settings (no settings file), output into `out`."""
    return load_project(settings["PATH"], str(out), extra=settings, find_settings=False)


# -- permanent identifiers ----------------------------------------------------------------

def test_old_slugs_are_read_in_english_or_chinese(tmp_path):
    p = write_doc(tmp_path, "new-name", title="通知", date="2024-01-02", old_slugs="old-a; old-b")
    assert read_document(str(p)).old_slugs == ["old-a", "old-b"]
    p = write_doc(tmp_path, "other", title="通知", date="2024-01-02", **{"旧网址": "legacy"})
    assert read_document(str(p)).old_slugs == ["legacy"]


def test_old_slug_that_cannot_be_a_url_is_a_located_error(tmp_path):
    p = write_doc(tmp_path, "doc", title="通知", date="2024-01-02", old_slugs="旧 名")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(str(p), display_path="content/documents/doc.md")
    assert str(e.value).startswith("content/documents/doc.md:3: old_slugs: '旧 名' 不能作为 'doc' 的旧网址")


def test_renamed_document_old_url_redirects_to_the_new_one(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_doc(content, "llzg-2024-02", title="临澜市停车管理办法", date="2024-03-01", doc_number="临政规〔2024〕2号",
              old_slugs="tingche-banfa")
    write_doc(content, "llzg-2024-01", title="另一件文件", date="2024-01-01")
    model = model_of(content)
    publish(model, project_of(settings_for(content, tmp_path, GAZETTE_PDF=False), out))
    page = (out / "documents" / "tingche-banfa.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../documents/llzg-2024-02.html">' in page
    assert '<a href="../documents/llzg-2024-02.html">临澜市停车管理办法</a>' in page
    assert "<script" not in page
    # The ELI-style short address, in either script of the number.
    eli = out / "eli" / "临政规" / "2024" / "2" / "index.html"
    assert "url=../../../../documents/llzg-2024-02.html" in eli.read_text(encoding="utf-8")


def test_colliding_old_slugs_are_located_errors(tmp_path):
    """An old slug another document uses now, or that an earlier document already claims, is an
    error in the later file (never silently dropped): `check` fails, `build --lenient` skips it."""
    content = tmp_path / "content"
    write_doc(content, "first", title="先改名的文件", date="2024-01-01", old_slugs="shared-old")
    write_doc(content, "second", title="后改名的文件", date="2024-02-01", old_slugs="shared-old")
    write_doc(content, "third", title="占用现行网址", date="2024-03-01", old_slugs="first; own-old")
    archive = load_archive(str(content))
    assert [str(e) for e in archive.errors] == [
        f"{content}/documents/second.md:3: old_slugs: 'shared-old' 已是另一件文件的旧网址（documents/first.md）"
        "（应为本文件自己从前的文件名，且不与其他文件的网址或旧网址相同）",
        f"{content}/documents/third.md:3: old_slugs: 'first' 是另一件文件现在的网址（documents/first.md）"
        "（应为本文件自己从前的文件名，且不与其他文件的网址或旧网址相同）"]
    assert sorted(archive.bad_files) == ["documents/second.md", "documents/third.md"]
    assert [d.slug for d in archive.documents] == ["first"]


@pytest.mark.parametrize("number, parts", [
    ("临政规〔2023〕3号", ("临政规", "2023", "3")),
    ("臨政規〔2023〕03號", ("临政规", "2023", "3")),
    ("临政办发[２０２２]１１号", ("临政办发", "2022", "11")),
    ("环办（2017）21号", ("环办", "2017", "21")),
    ("临澜市人民政府令第8号", None),
    ("", None),
])
def test_eli_parts_of_document_numbers(number, parts):
    assert eli_parts(number) == parts


def test_eli_codes_setting_gives_ascii_paths():
    assert eli_parts("臨政規〔2023〕3號", {"临政规": "llzg"}) == ("llzg", "2023", "3")


@pytest.mark.parametrize("number, parts", [
    ("临澜市人民政府令第6号", ("临澜市人民政府令", "2023", "6")),
    ("臨瀾市人民政府令第１號", ("临澜市人民政府令", "2023", "1")),
    ("中华人民共和国主席令第三十号", ("中华人民共和国主席令", "2023", "30")),
    ("财政部令（第5号）", ("财政部令", "2023", "5")),
    ("临澜市人民政府令", None),
    ("临政规〔2022〕3号", ("临政规", "2022", "3")),  # a number's own year wins over the publication year
])
def test_an_orders_short_address_takes_the_year_it_was_published(number, parts):
    assert eli_parts(number, year=2023) == parts
    assert eli_parts("临澜市人民政府令第6号", {"临澜市人民政府令": "llzl"}, 2023) == ("llzl", "2023", "6")


# -- validity changes -----------------------------------------------------------------------

def test_validity_changes_are_dated_by_the_content_not_by_the_build(tmp_path):
    content = tmp_path / "content"
    write_doc(content, "exp", title="到期文件", date="2024-01-01", expires="2026-06-30", doc_type="通知")
    write_doc(content, "old", title="旧办法", date="2020-01-01", doc_type="规范性文件", validity="repealed")
    write_doc(content, "new", title="新办法", date="2026-03-01", doc_type="规范性文件", supersedes="old")
    write_doc(content, "undated", title="废止但无日期", date="2020-01-01", doc_type="通知", validity="repealed")
    write_doc(content, "due", title="待清理", date="2024-06-01", doc_type="规范性文件")
    write_doc(content, "ok", title="现行", date="2026-01-01", doc_type="规范性文件")
    model = model_of(content)
    by = {d.slug: d for d in model.documents}
    assert change_day(model, by["exp"]) == ("expired", dt.date(2026, 7, 1))
    assert change_day(model, by["old"]) == ("repealed", dt.date(2026, 3, 1))
    assert change_day(model, by["due"]) == ("overdue", dt.date(2026, 6, 2))
    assert change_day(model, by["undated"]) is None and change_day(model, by["ok"]) is None
    assert [(c.doc.slug, c.kind) for c in recent_changes(model)] == [
        ("exp", "expired"), ("due", "overdue"), ("old", "repealed")]
    assert [c.doc.slug for c in recent_changes(model, window_days=150)] == ["exp"]
    # Before the expiry date there is nothing to announce yet.
    assert change_day(model_of(content, dt.date(2026, 6, 30)), by["exp"]) is None


# -- sitemap ----------------------------------------------------------------------------------

def test_sitemap_splits_into_an_index_past_the_protocol_limit(monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 2)
    entries = [(f"documents/d{i}.html", dt.date(2024, 1, i + 1)) for i in range(5)]
    files = sitemap.sitemap_files(entries, "https://example.gov.cn/gazette")
    assert sorted(files) == ["sitemap.xml", "sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml",
                             "sitemaps/sitemap-3.xml"]
    assert "<sitemapindex" in files["sitemap.xml"]
    assert "<loc>https://example.gov.cn/gazette/sitemaps/sitemap-3.xml</loc><lastmod>2024-01-05</lastmod>" \
        in files["sitemap.xml"]
    assert "<loc>https://example.gov.cn/gazette/documents/d0.html</loc>" in files["sitemaps/sitemap-1.xml"]
    assert sitemap.robots_txt("https://example.gov.cn/gazette").endswith(
        "Sitemap: https://example.gov.cn/gazette/sitemap.xml\n")


# -- compression ------------------------------------------------------------------------------

def test_compression_is_deterministic_incremental_and_cleans_up(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    big = ("<p>临澜市人民政府公报</p>\n" * 100).encode()
    (site / "a" / "page.html").write_bytes(big)
    (site / "tiny.json").write_bytes(b"{}")
    (site / "scan.pdf").write_bytes(b"%PDF-1.4" + b"\0" * 1000)
    manifest = str(tmp_path / "cache" / "m.json")
    first = compress.compress_tree(str(site), manifest_path=manifest)
    assert first.compressed == 1
    gz = (site / "a" / "page.html.gz").read_bytes()
    assert gzip.decompress(gz) == big and brotli.decompress((site / "a" / "page.html.br").read_bytes()) == big
    assert not (site / "tiny.json.gz").exists() and not (site / "scan.pdf.gz").exists()
    mtime = os.path.getmtime(site / "a" / "page.html.gz")
    # Rewritten with the same bytes (as Pelican does): recognised by hash, not compressed again.
    os.utime(site / "a" / "page.html", (mtime + 10, mtime + 10))
    second = compress.compress_tree(str(site), manifest_path=manifest)
    assert (second.compressed, second.unchanged) == (0, 1)
    assert os.path.getmtime(site / "a" / "page.html.gz") == mtime
    (site / "a" / "page.html").write_bytes(big + b"<p>new</p>")
    os.utime(site / "a" / "page.html", (mtime + 20, mtime + 20))
    assert compress.compress_tree(str(site), manifest_path=manifest).compressed == 1
    assert (site / "a" / "page.html.gz").read_bytes() != gz
    os.remove(site / "a" / "page.html")
    assert compress.compress_tree(str(site), manifest_path=manifest).removed == 2
    assert not (site / "a" / "page.html.gz").exists() and not (site / "a" / "page.html.br").exists()


def test_compression_in_two_passes_keeps_every_hash(tmp_path):
    """A build compresses the site but the search index while the index is being written, then the
    index alone: each pass keeps the other's hashes, so neither recompresses the other's files later."""
    site, manifest = tmp_path / "site", str(tmp_path / "cache" / "m.json")
    page = ("<p>临澜市人民政府公报</p>\n" * 100).encode()
    for path in ("page.html", "search-index/manifest.json"):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(page)
    assert compress.compress_tree(str(site), manifest_path=manifest, skip=("search-index",)).compressed == 1
    assert not (site / "search-index" / "manifest.json.gz").exists()
    assert compress.compress_tree(str(site), manifest_path=manifest, only=("search-index",)).compressed == 1
    assert set(json.loads(open(manifest).read())) == {"page.html", "search-index/manifest.json"}
    for path in ("page.html", "search-index/manifest.json"):  # rewritten with the same bytes
        later = os.path.getmtime(site / (path + ".gz")) + 10
        os.utime(site / path, (later, later))
    again = compress.compress_tree(str(site), manifest_path=manifest)
    assert (again.compressed, again.unchanged) == (0, 2)


# -- PDF downloads ----------------------------------------------------------------------------

def _numbered_pdf(path, pages):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for n in range(1, pages + 1):
        c.drawString(100, 700, f"PAGE-{n}")
        c.showPage()
    c.save()


def _issue_with_scan(tmp_path, make_pdf, pages):
    """(content, out) of an archive holding issue 2024-01 whose scan `make_pdf` writes with `pages` pages."""
    content = tmp_path / "content"
    (content / "scans").mkdir(parents=True)
    make_pdf(content / "scans" / "2024-01.pdf", pages)
    (content / "issues").mkdir()
    (content / "issues" / "2024-01.md").write_text("year: 2024\nnumber: 1\ndate: 2024-03-01\nscan: scans/2024-01.pdf\n\n",
                                                   encoding="utf-8")
    return content, tmp_path / "out"


def test_page_range_maps_gazette_pages_to_scan_pages():
    assert page_range("12-15") == (11, 14) and page_range("3") == (2, 2) and page_range("x") is None


def test_document_pages_are_cut_from_the_issue_scan(tmp_path):
    _numbered_pdf(tmp_path / "issue.pdf", 6)
    cut_pages(str(tmp_path / "issue.pdf"), 2, 4, str(tmp_path / "doc.pdf"))
    pdf = pypdfium2.PdfDocument(str(tmp_path / "doc.pdf"))
    assert [p.get_textpage().get_text_range().strip() for p in pdf] == ["PAGE-3", "PAGE-4", "PAGE-5"]


def test_text_pdf_holds_the_text_in_either_script(tmp_path):
    for script, title in (("zh-Hans", "临澜市停车管理办法"), ("zh-Hant", "臨瀾市停車管理辦法")):
        dest = tmp_path / f"{script}.pdf"
        text_pdf({"title": title, "doc_number": "临政规〔2024〕2号", "issuer": "临澜市人民政府", "date": "2024年3月1日",
                  "script": script, "body": "第一条　为规范停车管理，制定本办法。" * 40, "site": "测试公报",
                  "url": "documents/x.html"}, str(dest))
        text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(str(dest)))
        assert title in text and "第一条" in text


def test_pdfs_come_from_scan_or_text_are_cached_and_switchable(tmp_path):
    content, out = _issue_with_scan(tmp_path, _numbered_pdf, 8)
    write_doc(content, "in-issue", title="刊登文件", date="2024-03-01", gazette="2024-01", pages="3-4")
    write_doc(content, "text-only", title="仅有文本", date="2024-03-02")
    write_doc(content, "bad-pages", title="页码越界", date="2024-03-03", gazette="2024-01", pages="30-31")
    write_doc(content, "asked", title="依申请文件", date="2024-03-04", disclosure="on_request")
    settings = settings_for(content, tmp_path)
    first = publish(model_of(content), project_of(settings, out))
    assert first.pdf.made == 3 and first.pdf.reused == 0
    pages = lambda slug: pypdfium2.PdfDocument(str(out / "documents" / f"{slug}.pdf"))  # noqa: E731
    assert [p.get_textpage().get_text_range().strip() for p in pages("in-issue")] == ["PAGE-3", "PAGE-4"]
    assert "仅有文本" in pages("text-only")[0].get_textpage().get_text_range()
    assert "页码越界" in pages("bad-pages")[0].get_textpage().get_text_range()  # fell back to the text
    assert not (out / "documents" / "asked.pdf").exists()
    catalogue = json.loads((out / "catalogue.json").read_text(encoding="utf-8"))
    assert {r["slug"]: r["pdf_url"] for r in catalogue["documents"]}["asked"] == ""
    mtime = os.path.getmtime(out / "documents" / "in-issue.pdf")
    again = publish(model_of(content), project_of(settings, out))
    assert (again.pdf.made, again.pdf.reused, again.pdf.written) == (0, 3, 0)
    assert os.path.getmtime(out / "documents" / "in-issue.pdf") == mtime
    off = publish(model_of(content), project_of({**settings, "GAZETTE_PDF": False}, out))
    assert off.pdf is None and not list((out / "documents").glob("*.pdf"))


# -- stale outputs ----------------------------------------------------------------------------

def test_document_withheld_after_publication_leaves_nothing_behind(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_doc(content, "keep", title="保留文件", date="2024-01-01", doc_number="临政发〔2024〕1号")
    path = write_doc(content, "secret", title="后来不予公开的文件", date="2024-01-02", doc_number="临政发〔2024〕2号")
    settings = settings_for(content, tmp_path)
    publish(model_of(content), project_of(settings, out))
    (out / "documents" / "secret.html").write_text("<p>page from the earlier build</p>", encoding="utf-8")
    assert (out / "documents" / "secret.json").exists() and (out / "documents" / "secret.pdf").exists()
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "disclosure: withheld\ntitle:"), encoding="utf-8")
    result = publish(model_of(content), project_of(settings, out))
    assert "documents/secret.json" in result.removed and "documents/secret.html" in result.removed
    for dirpath, _, files in os.walk(out):
        for name in files:
            data = open(os.path.join(dirpath, name), "rb").read()
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            elif name.endswith(".br"):
                data = brotli.decompress(data)
            assert "后来不予公开".encode() not in data and b"secret" not in data, name
    assert not (out / "eli" / "临政发" / "2024" / "2").exists()
    assert (out / "eli" / "临政发" / "2024" / "1" / "index.html").exists()


def test_a_short_address_folder_emptied_goes_up_to_the_first_folder_still_used(tmp_path):
    """remove_stale removes the folders it empties (listing again only those, and empty ones), and
    keeps a folder with anything left in it."""
    content, out = tmp_path / "content", tmp_path / "out"
    write_doc(content, "keep", title="保留文件", date="2024-01-01", doc_number="临政发〔2024〕1号")
    path = write_doc(content, "lone", title="另一机关的文件", date="2023-01-02", doc_number="临水规〔2023〕7号")
    settings = settings_for(content, tmp_path, GAZETTE_PDF=False)
    publish(model_of(content), project_of(settings, out))
    assert (out / "eli" / "临水规" / "2023" / "7" / "index.html").exists()
    (out / "eli" / "mine").mkdir()
    (out / "eli" / "mine" / "note.txt").write_text("someone else's", encoding="utf-8")
    os.remove(path)
    result = publish(model_of(content), project_of(settings, out))
    assert any(p.startswith("eli/临水规/") for p in result.removed)
    assert not (out / "eli" / "临水规").exists()
    assert (out / "eli" / "临政发" / "2024" / "1" / "index.html").exists() and (out / "eli" / "mine").is_dir()


def test_partitions_write_their_documents_and_the_assembly_the_site_wide_files(tmp_path):
    content, out = tmp_path / "content", tmp_path / "out"
    write_doc(content, "old", title="旧文件", date="2015-01-01", doc_number="临政发〔2015〕1号")
    write_doc(content, "new", title="新文件", date="2024-01-01", doc_number="临政发〔2024〕1号")
    settings = settings_for(content, tmp_path)
    model = model_of(content)
    publish(model, project_of(settings, out), mode=BuildMode(partition=(2020, 2029)))
    assert (out / "documents" / "new.json").exists() and (out / "documents" / "new.pdf").exists()
    assert not (out / "documents" / "old.json").exists() and not (out / "catalogue.json").exists()
    assert (out / "eli" / "临政发" / "2024" / "1" / "index.html").exists()
    assert not (out / "eli" / "临政发" / "2015").exists() and not (out / "sitemap.xml").exists()
    publish(model, project_of(settings, out), mode=BuildMode(assemble=True))
    assert (out / "catalogue.json").exists() and (out / "sitemap.xml").exists()
    # The assembly keeps the partitions' files (here, only one partition was merged in).
    assert (out / "documents" / "new.json").exists() and (out / "documents" / "new.pdf").exists()
    assert not (out / "documents" / "old.json").exists()


# -- status stamps on downloads ---------------------------------------------------------------

def _scanned_pdf(path, pages=3):
    """A scan as scanners and OCR tools write one: each page a photograph (a noisy grey image) with
    an invisible, horizontally scaled text layer left in that state (3 Tr, 80 Tz, no reset); the
    last page rotated a quarter turn."""
    import random

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rng = random.Random(7)
    c = canvas.Canvas(str(path), pagesize=(520, 740), invariant=1)
    for n in range(1, pages + 1):
        image = Image.new("L", (260, 370), 235)
        image.putdata([rng.randrange(200, 255) if rng.random() < 0.3 else 240 for _ in range(260 * 370)])
        c.drawImage(ImageReader(image.convert("RGB")), 0, 0, 520, 740)
        c._code.append(f"BT 3 Tr 80 Tz /F1 12 Tf 1 0 0 1 60 600 Tm (SCAN-PAGE-{n}) Tj ET")  # OCR layer, state left as is
        c.setFont("Helvetica", 12)  # (registers /F1 for the layer above)
        if n == pages:
            c._pagesize = (520, 740)
            c.setPageRotation(90)
        c.showPage()
    c.save()


def _page_text(pdf, i):
    return pdf[i].get_textpage().get_text_range().replace("\r", "").replace("\n", "")


def _image_data(page):
    return [bytes(obj.get_data(decode_simple=False)) for obj in page.get_objects()
            if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]


def test_stamp_marks_every_page_and_leaves_the_scan_as_it_is(tmp_path):
    from PIL import ImageChops

    from gazette.publishing.document_pdf import Stamp, stamp_status

    _scanned_pdf(tmp_path / "scan.pdf")
    stamp = Stamp("已废止", "2026年11月22日", "有效性标注日期：2026年11月22日")
    stamp_status(str(tmp_path / "scan.pdf"), str(tmp_path / "stamped.pdf"), stamp, "测试公报")
    before, after = pypdfium2.PdfDocument(str(tmp_path / "scan.pdf")), pypdfium2.PdfDocument(str(tmp_path / "stamped.pdf"))
    assert len(after) == len(before) == 3
    for i in range(3):
        text = _page_text(after, i)
        assert "已废止" in text and "2026年11月22日" in text and f"SCAN-PAGE-{i + 1}" in text, text
        # The page's own content is there as it was: its image, byte for byte, and its text layer.
        assert _image_data(after[i]) == _image_data(before[i]) and _image_data(before[i])
        assert after[i].get_rotation() == before[i].get_rotation()
        assert after[i].get_size() == before[i].get_size()
        # Drawn only in the top right corner of the page as it is seen (rotation applied), and seen:
        # red, not left invisible by the text layer's state.
        old, new = before[i].render(scale=1).to_pil().convert("RGB"), after[i].render(scale=1).to_pil().convert("RGB")
        box = ImageChops.difference(old, new).getbbox()
        assert box, f"page {i + 1}: no stamp drawn"
        assert box[0] > old.width * 0.4 and box[3] < old.height * 0.3, f"page {i + 1}: stamp at {box} of {old.size}"
        px = new.crop((box[0] + 5, box[1] + 5, box[2] - 5, box[3] - 5)).tobytes()  # inside the frame: the text
        reds = sum(1 for j in range(0, len(px), 3) if px[j] > 120 and px[j + 1] < 90 and px[j + 2] < 90)
        assert reds > 200, f"page {i + 1}: the stamp's text is not visible"
    # Reproducible: the same input and stamp give the same bytes.
    stamp_status(str(tmp_path / "scan.pdf"), str(tmp_path / "again.pdf"), stamp, "测试公报")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "stamped.pdf").read_bytes()


def test_downloads_of_documents_not_in_force_are_stamped_and_the_stamp_cached(tmp_path):
    content, out = _issue_with_scan(tmp_path, _scanned_pdf, 4)
    write_doc(content, "current", title="现行文件", date="2024-03-01", gazette="2024-01", pages="1-2")
    write_doc(content, "gone", title="已废止文件", date="2024-03-01", gazette="2024-01", pages="3-4",
              validity="repealed", repealed_on="2025-05-01")
    write_doc(content, "ended", title="到期文件", date="2024-03-02", expires="2026-06-30")
    settings = settings_for(content, tmp_path)
    first = publish(model_of(content), project_of(settings, out))
    assert (first.pdf.made, first.pdf.stamped) == (3, 2)
    pdf = lambda slug: pypdfium2.PdfDocument(str(out / "documents" / f"{slug}.pdf"))  # noqa: E731
    for slug, status in (("gone", "已废止"), ("ended", "已失效")):
        for i in range(len(pdf(slug))):
            assert status in _page_text(pdf(slug), i) and "2026年11月22日" in _page_text(pdf(slug), i), (slug, i)
    assert [_page_text(pdf("gone"), i).startswith(f"SCAN-PAGE-{i + 3}") for i in range(2)] == [True, True]
    for i in range(2):  # in force: the pages as cut from the scan, nothing added
        assert _page_text(pdf("current"), i) == f"SCAN-PAGE-{i + 1}"
    cache = tmp_path / "cache"
    stamped = sorted(p.name for p in cache.rglob("*-*.pdf"))
    # the two cut from the scan unstamped, the repealed one stamped; the text PDF set with its stamp
    assert len(stamped) == 2 and len(list(cache.rglob("*.pdf"))) == 4
    # Same as-of date: nothing made or stamped again, same bytes.
    before = (out / "documents" / "gone.pdf").read_bytes()
    again = publish(model_of(content), project_of(settings, out))
    assert (again.pdf.made, again.pdf.stamped, again.pdf.written) == (0, 0, 0)
    assert (out / "documents" / "gone.pdf").read_bytes() == before
    # A later as-of date re-stamps the scan from its cached PDF and sets the text PDF again with its
    # new stamp; the old stamps leave the cache.
    later = publish(model_of(content, dt.date(2026, 12, 1)), project_of(settings, out))
    assert (later.pdf.made, later.pdf.stamped) == (1, 2)
    assert "2026年12月1日" in _page_text(pdf("gone"), 0) and "2026年12月1日" in _page_text(pdf("ended"), 0)
    now = sorted(p.name for p in cache.rglob("*-*.pdf"))
    assert len(now) == 2 and not set(now) & set(stamped)


def test_line_breaker_survives_a_run_of_opening_punctuation():
    """Opening punctuation moves to the next line a few at a time: a run of 50,000 '[' (a hostile
    body) is broken where it stands, not carried whole from line to line (quadratic)."""
    from collections import defaultdict

    from gazette.publishing.document_pdf import _wrap

    widths = defaultdict(lambda: 10.0)
    lines = _wrap("[" * 1000, 100, widths)
    assert "".join(lines) == "[" * 1000 and all(lines) and len(lines) <= 1000 // 5
    assert _wrap("一二三四五六七八九“十", 100, widths) == ["一二三四五六七八九", "“十"]


def test_a_pdf_pdfium_cannot_read_is_reported_in_chinese_with_its_file(tmp_path):
    from gazette.pdf_files import PdfError, failure
    from gazette.publishing.document_pdf import cut_pages

    bad = tmp_path / "2024-01.pdf"
    bad.write_text("not a pdf")
    with pytest.raises(PdfError) as e:
        cut_pages(str(bad), 0, 1, str(tmp_path / "out.pdf"))
    assert str(e.value) == f"{bad}：无法读取 PDF：文件已损坏或不是 PDF"
    assert failure("scans/x.pdf", FileNotFoundError("x")) == "scans/x.pdf：无法读取 PDF：文件不存在或无法读取"


def _wrap_unit_by_unit(text, width, widths, indent=0.0):
    """The line-breaking rule as first written, a unit at a time: the oracle for the line breaker."""
    from gazette.publishing.document_pdf import _CARRY_MAX, _NO_LINE_END, _NO_LINE_START, _UNITS

    lines, line, used, avail = [], [], 0, width - indent
    for unit in _UNITS.findall(text):
        w = widths[unit]
        if line and used + w > avail and unit not in _NO_LINE_START:
            carry = []
            while line and line[-1] in _NO_LINE_END and len(carry) < _CARRY_MAX:
                carry.insert(0, line.pop())
            if not line:
                line, carry = carry, []
            lines.append("".join(line).rstrip())
            line, used, avail = carry, sum(widths[c] for c in carry), width
            if unit.isspace():
                continue
        line.append(unit)
        used += w
    if line:
        lines.append("".join(line).rstrip())
    return lines


def test_line_breaker_finds_the_lines_of_the_unit_by_unit_rule():
    """The line breaker searches for each line's end in running widths; it must break exactly where
    the unit-by-unit rule does, punctuation, Latin words, spaces and over-wide units included."""
    import random

    from gazette.publishing.document_pdf import _wrap
    from gazette.publishing.pdf_write import cid_font, widths

    rng = random.Random(5)
    alphabet = list("临澜市人民政府关于规范管理的通知第一条") + list("，。、；：！？）》」”") + list("（《「“[") + \
        ["abc", "2024", "x-1/2", " ", "　", "W" * 40]
    widths = widths(cid_font("zh-Hans"))
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        width, indent = rng.choice([1000, 2500, 6000, 37750]), rng.choice([0, 0, 2000])
        assert _wrap(text, width, widths, indent) == _wrap_unit_by_unit(text, width, widths, indent), (text, width, indent)
