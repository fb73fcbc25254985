"""Command-line search (Whoosh): both scripts, any number spelling, fielded queries, incremental updates."""

import json
import os

import pytest
from click.testing import CliRunner

from gazette.cli import cli
from gazette.search.whoosh_index import search, update_index
from gazette.search.records import records_from_site
from leakscan import find_leaks, whoosh_leaks
from search_archive import DOCS, site_model, write_archive


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    return write_archive(str(tmp_path_factory.mktemp("archive")))


@pytest.fixture(scope="module")
def index_dir(archive_dir, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("whoosh"))
    update_index(records_from_site(site_model(archive_dir)), path)
    return path


def slugs(index_dir, query, **kw):
    return [h.slug for h in search(index_dir, query, **kw).hits]


def test_simplified_query_finds_traditional_document(index_dir):
    assert slugs(index_dir, "现行有效规范性文件目录")[0] == "trad-notice"
    assert "trad-notice" in slugs(index_dir, "创刊")


def test_traditional_query_finds_simplified_document(index_dir):
    assert slugs(index_dir, "綠化管理辦法")[0] == "simp-rules"
    assert slugs(index_dir, "古樹名木") == ["simp-rules"]


def test_phrase_cut_from_the_middle_of_a_sentence_is_found(index_dir):
    # a word segmenter would cut "化管理，改善生" differently alone than in its sentence; the bigrams still match.
    assert slugs(index_dir, "化管理，改善生") == ["simp-rules"]


@pytest.mark.parametrize("query", ["古", "樹", "树", "名木"])
def test_a_single_character_inside_a_word_is_found(index_dir, query):
    # The body is indexed as bigrams plus each run's last character; a lone character in the
    # middle of a run (古 of 古树名木实行…) is found as the start of a bigram.
    assert slugs(index_dir, query) == ["simp-rules"]


@pytest.mark.parametrize("spelling", ["臨政發〔2017〕21號", "临政发[2017]21号", "临政发(2017)21号",
                                      "临政发［２０１７］２１号", "doc_number:临政发（2017）21号"])
def test_document_number_in_any_spelling_finds_its_document(index_dir, spelling):
    assert slugs(index_dir, spelling)[0] == "trad-notice"


def test_fielded_issuer_status_type_and_year(index_dir):
    assert set(slugs(index_dir, "issuer:园林局")) == {"simp-rules"}
    # issuer: matches a part of the name, so the 办公室 of the 人民政府 is included.
    assert set(slugs(index_dir, "issuer:臨海市人民政府")) == {"trad-notice", "simp-rules", "old-notice", "asked"}
    assert slugs(index_dir, "status:repealed") == ["old-notice"]
    assert slugs(index_dir, "status:已廢止") == ["old-notice"]
    assert set(slugs(index_dir, "doc_type:规范性文件")) == {"trad-notice", "simp-rules"}
    assert slugs(index_dir, "year:2019") == ["simp-rules"]
    assert set(slugs(index_dir, "公报 status:有效")) == {"trad-notice"}


def test_date_range_query(index_dir):
    assert set(slugs(index_dir, "date:[2016-01-01 to 2019-12-31]")) == {"trad-notice", "simp-rules"}
    assert set(slugs(index_dir, "公报 date:[2015-01-01 to 2015-12-31]")) == {"old-notice"}
    assert slugs(index_dir, "date:<2016-01-01") == ["old-notice"]
    assert set(slugs(index_dir, "date:>=2019-05-08")) == {"simp-rules", "asked"}


def test_on_request_document_found_by_catalogue_data_only(index_dir):
    assert slugs(index_dir, "议事协调机构") == ["asked"]
    assert slugs(index_dir, "临政办发〔2020〕11号") == ["asked"]
    assert slugs(index_dir, "军分区副司令员") == []


def test_withheld_document_never_in_search_index(index_dir):
    assert slugs(index_dir, "储备粮") == []
    assert slugs(index_dir, "临政内〔2021〕4号") == []
    # the Whoosh files and the browser index of the text postings beside them, decompressed
    assert find_leaks(index_dir, ["储备粮", "secret", "临政内〔2021〕4号"]) == []
    assert whoosh_leaks(index_dir, ["储备粮", "secret", "临政内〔2021〕4号"]) == []


def test_index_updates_only_changed_documents(tmp_path):
    content = write_archive(str(tmp_path))
    index = str(tmp_path / "whoosh")
    first = update_index(records_from_site(site_model(content)), index)
    assert len(first.added) == 4 and first.rebuilt
    again = update_index(records_from_site(site_model(content)), index)
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 4)

    with open(os.path.join(content, "documents", "simp-rules.md"), "a", encoding="utf-8") as f:
        f.write("\n第二条 行道树由园林部门统一养护。\n")
    os.remove(os.path.join(content, "documents", "old-notice.md"))
    with open(os.path.join(content, "documents", "asked.md"), "w", encoding="utf-8") as f:
        f.write(DOCS["asked"].replace("disclosure: on_request", "disclosure: withheld"))
    third = update_index(records_from_site(site_model(content)), index)
    assert third.updated == ["simp-rules"] and sorted(third.removed) == ["asked", "old-notice"]
    assert third.unchanged == 1 and not third.added
    assert slugs(index, "行道树") == ["simp-rules"]
    assert slugs(index, "议事协调机构") == [] and slugs(index, "停止执行") == []


def test_status_change_at_a_new_as_of_date_reindexes_the_document(tmp_path):
    import datetime as dt

    content = write_archive(str(tmp_path))
    index = str(tmp_path / "whoosh")
    update_index(records_from_site(site_model(content, dt.date(2020, 1, 1))), index)
    later = update_index(records_from_site(site_model(content, dt.date(2026, 11, 22))), index)
    assert "simp-rules" in later.updated  # its review became overdue


def test_search_command_prints_json(index_dir):
    result = CliRunner().invoke(cli, ["search", "--index", index_dir, "--json", "--limit", "1", "綠化"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "綠化" and data["total"] == 2
    assert len(data["results"]) == 1
    top = data["results"][0]
    assert set(top) == {"slug", "url", "title", "doc_number", "status", "kind", "match", "why", "score"}
    assert top["match"] == "head_phrase" and top["why"]["title"] == ["绿化"] and data["partial"] is False
    assert (top["slug"], top["url"], top["status"]) == ("simp-rules", "documents/simp-rules.html", "in_force")


def test_search_command_prints_readable_results(index_dir):
    result = CliRunner().invoke(cli, ["search", "--index", index_dir, "公报", "status:已废止"])
    assert result.exit_code == 0
    assert "临海市关于停止执行若干文件的决定" in result.output and "已废止" in result.output


def test_search_command_explains_a_missing_index(tmp_path):
    result = CliRunner().invoke(cli, ["search", "--index", str(tmp_path / "none"), "公报"])
    assert result.exit_code == 1
    assert "gazette index" in result.output


def test_index_command_builds_then_updates(archive_dir, tmp_path):
    index = str(tmp_path / "w")
    runner = CliRunner()
    first = runner.invoke(cli, ["index", "--content", archive_dir, "--index", index, "--as-of", "2026-11-22"])
    assert first.exit_code == 0 and "新增 4" in first.output
    second = runner.invoke(cli, ["index", "--content", archive_dir, "--index", index, "--as-of", "2026-11-22"])
    assert "新增 0" in second.output and "未变 4" in second.output


def test_rebuild_in_several_segments_finds_the_same_and_updates(archive_dir, index_dir, tmp_path, monkeypatch):
    """A large rebuild is written in segments of SEGMENT_DOCUMENTS; searching and updating read them all."""
    from whoosh import index as whoosh_index

    from gazette.search import whoosh_index as cli_index

    monkeypatch.setattr(cli_index, "SEGMENT_DOCUMENTS", 1)
    path = str(tmp_path / "segments")
    records = records_from_site(site_model(archive_dir))
    assert len(update_index(records, path).added) == len(records)
    assert len(whoosh_index.open_dir(path).reader().leaf_readers()) == len(records)
    for query in ("现行有效规范性文件目录", "綠化管理辦法", "issuer:园林局", "date:[2016-01-01 to 2019-12-31]"):
        assert slugs(path, query) == slugs(index_dir, query)
    # A document removed from the archive leaves whichever segment held it.
    edited = [r for r in records if r.slug != "simp-rules"]
    update = update_index(edited, path)
    assert update.removed == ["simp-rules"] and update.unchanged == len(edited)
    assert "simp-rules" not in slugs(path, "綠化管理辦法")


def _postings(path):
    """Every term of every segment with its term statistics, postings (document, weight, value) and
    the bytes of its blocks."""
    from whoosh import index as whoosh_index

    out = []
    with whoosh_index.open_dir(path).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for fieldname, tbytes in leaf.all_terms():
                info = leaf.term_info(fieldname, tbytes)
                m, postings = leaf.postings(fieldname, tbytes), []
                if not info.is_inlined():  # written as blocks: the blocks' bytes
                    offset, length = info.extent()
                    m._postfile.seek(offset)
                    postings.append(m._postfile.read(length[0] if isinstance(length, tuple) else length))
                while m.is_active():
                    postings.append((m.id(), m.weight(), m.value()))
                    m.next()
                out.append((fieldname, tbytes, info.weight(), info.doc_frequency(), info.min_length(),
                            info.max_length(), info.max_weight(), postings))
    return out


def test_block_writer_writes_what_whoosh_itself_writes(tmp_path, monkeypatch):
    """The command-line index hands Whoosh's postings writer a block at a time; the index must hold
    exactly what Whoosh's own posting-by-posting path writes, across several blocks per term."""
    from gazette.search import whoosh_index as cli_index
    from gazette.search.records import SearchRecord

    records = [SearchRecord(slug=f"doc-{i}", url=f"/d/{i}/", title=f"关于第{i}号通知",
                            date=f"{1990 + i % 30}-01-0{1 + i % 9}", doc_number=f"临政发〔{1990 + i % 30}〕{i}号",
                            issuer=["临澜市人民政府"], body="第一条　为了规范管理，制定本办法。" * (1 + i % 5) + f"附件{i}")
               for i in range(300)]  # 300 documents share the common bigrams: three blocks of 128 each
    monkeypatch.setattr(cli_index, "SEGMENT_DOCUMENTS", 200)
    cli_index.update_index(records, str(tmp_path / "blocks"))
    from gazette.search import whoosh_adapter

    monkeypatch.setattr(whoosh_adapter, "bulk_writable", lambda fieldwriter: False)
    cli_index.update_index(records, str(tmp_path / "whoosh"))
    ours, whoosh = _postings(str(tmp_path / "blocks")), _postings(str(tmp_path / "whoosh"))
    assert ours == whoosh
    assert max(p[3] for p in ours) == 200  # a term in every document of the first segment: two blocks


def test_ranking_facts_and_text_are_columns_the_leak_scanner_reads(tmp_path):
    """Ranking reads each candidate's facts from a column and the phrase check its text from
    another (without unpickling stored fields); the leak scanner must read both."""
    from leakscan import whoosh_leaks

    from gazette.search.records import SearchRecord

    records = [SearchRecord(slug="a-rule", url="/d/a/", title="临澜市古树名木保护办法", date="2019-05-01",
                            doc_number="临政发〔2019〕7号", issuer=["临澜市人民政府"], status="repealed",
                            body="第一条　为了保护古树名木，制定本办法。第九条　擅自迁移古树名木的，处以罚款。"),
               SearchRecord(slug="b-rule", url="/d/b/", title="临澜市绿化条例", date="2021-03-01",
                            body="第一条　古树和名木由园林部门登记。")]
    path = str(tmp_path / "columns")
    update_index(records, path)
    hits = search(path, "擅自迁移古树名木").hits
    assert [(h.slug, h.status, h.date, h.match) for h in hits][:1] == [("a-rule", "repealed", "2019-05-01", "body_phrase")]
    assert "a-rule" in slugs(path, "古树名木") and "a-rule" not in slugs(path, "古树名木", in_force=True)
    assert slugs(path, "issuer:临澜市人民政府") == ["a-rule"] and slugs(path, "issuer:临澜市人民政府", in_force=True) == []
    assert whoosh_leaks(path, ["擅自迁移古树名木的"]) == [("0", "擅自迁移古树名木的")]
    assert whoosh_leaks(path, ["园林部门登记"]) == [("1", "园林部门登记")]


def _two_rules():
    from gazette.search.records import SearchRecord

    return [SearchRecord(slug="a-rule", url="/d/a/", title="临澜市古树名木保护办法", date="2019-05-01",
                         body="第九条　擅自迁移古树名木的，处以罚款。"),
            SearchRecord(slug="b-rule", url="/d/b/", title="临澜市绿化条例", date="2021-03-01",
                         body="第一条　古树和名木由园林部门登记。")]


def test_text_words_are_read_from_the_browser_index_also_in_whoosh_syntax(tmp_path):
    """Whoosh holds no text terms: free text and OR / NOT queries find text words through the
    browser index's postings, numbered as Whoosh numbers its documents."""
    from whoosh import index as whoosh_index

    path = str(tmp_path / "cli")
    update_index(_two_rules(), path)
    with whoosh_index.open_dir(path).reader() as reader:
        assert list(reader.lexicon("body_terms")) == []
    assert slugs(path, "园林部门") == ["b-rule"] and slugs(path, "擅自迁移") == ["a-rule"]
    assert sorted(slugs(path, "园林部门 OR 擅自迁移")) == ["a-rule", "b-rule"]
    assert slugs(path, "古树 NOT 园林部门") == ["a-rule"]


def test_a_browser_index_of_other_records_or_half_written_is_refused(tmp_path):
    from gazette.search.browser_index import INDEX_DIR, STAMP, build_browser_index
    from gazette.search.whoosh_index import TextIndexError

    path = str(tmp_path / "cli")
    records = _two_rules()
    update_index(records, path)
    build_browser_index(records[:1], path)  # another build's index: one record fewer
    with pytest.raises(TextIndexError, match="不一致"):
        search(path, "园林部门")
    build_browser_index(records, path)
    assert slugs(path, "园林部门") == ["b-rule"]
    os.remove(os.path.join(path, INDEX_DIR, STAMP))  # a build killed while writing it
    with pytest.raises(TextIndexError, match="gazette build"):
        search(path, "园林部门")
    result = CliRunner().invoke(cli, ["search", "园林部门", "--index", path])
    assert result.exit_code != 0 and "gazette build" in result.output


def test_build_then_search_reads_the_site_s_index(archive_dir, index_dir, tmp_path, monkeypatch):
    """`gazette build` writes no second text index: `gazette search` reads the site's."""
    from gazette.build import build_site
    from gazette.project import load_project

    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    out = str(tmp_path / "out")
    build_site(archive_dir, out, as_of="2026-11-22", lenient=True)
    whoosh_dir = load_project(archive_dir).whoosh_dir
    assert not os.path.exists(os.path.join(whoosh_dir, "search-index"))
    with open(os.path.join(whoosh_dir, "gazette-index.json"), encoding="utf-8") as f:
        assert json.load(f)["site_index"] == os.path.join(os.path.abspath(out), "search-index")
    assert slugs(whoosh_dir, "储备粮") == []
    assert slugs(whoosh_dir, "化管理，改善生") == ["simp-rules"]
    for query in ("古树名木", "规范性文件", "文件 OR 绿化"):  # as an index made without a site answers
        assert slugs(whoosh_dir, query) == slugs(index_dir, query)
