"""Search normalisation: folding, tokens, document-number spellings."""

from gazette.search.normalise import doc_number_key, fold_text, query_tokens, tokens

TRAD = "臨海市人民政府關於公布現行有效規範性文件目錄的通知，公報創刊號"


def test_folding_turns_traditional_into_simplified_and_keeps_length():
    folded = fold_text(TRAD)
    assert folded == "临海市人民政府关于公布现行有效规范性文件目录的通知,公报创刊号"
    assert len(folded) == len(TRAD)


def test_folding_is_per_character_and_the_browsers_table_is_the_same_fold():
    # Phrase-aware OpenCC keeps 乾隆 but folds 乾淨 to 干净; a per-character table cannot
    # know the phrase, so 乾 must fold the same way wherever it stands, and the table the
    # browser receives (gazette-fold.json) must give exactly the Python fold.
    from gazette.search.browser_index import fold_payload

    assert fold_text("乾隆")[0] == fold_text("乾淨")[0]
    table = fold_payload()
    browser = str.maketrans(table["from"], table["to"])
    for text in (TRAD, "乾隆乾淨", "國務院辦公廳關於印發《規範性文件》的通知"):
        assert text.translate(browser) == fold_text(text)


def test_full_width_digits_and_letters_fold_to_ascii():
    assert fold_text("ＧＢ２０１７　Ａ") == "gb2017 a"


def test_every_substring_query_is_covered_by_the_document_tokens():
    # A query token is a document token, or a lone character that starts one (both engines
    # match those: Pagefind by prefix, Whoosh through the unigrams it also indexes).
    doc = {t for t, _ in tokens(TRAD)}
    starts = {t[0] for t in doc}
    for start in range(len(TRAD) - 2):
        for length in (2, 3, 5):
            phrase = TRAD[start:start + length]
            for token in query_tokens(phrase):
                assert token in doc or (len(token) == 1 and token in starts), (phrase, token)


def test_simplified_and_traditional_queries_give_the_same_tokens():
    assert query_tokens("現行有效") == query_tokens("现行有效") == ["现行", "行有", "有效"]


def test_token_offsets_point_into_the_original_text():
    text = "第一条 為了GB2017管理"
    for token, at in tokens(text):
        assert fold_text(text)[at:at + len(token)] == token or token.isascii()


def test_document_number_spellings_share_one_key():
    spellings = ["環辦廳函〔2017〕21號", "环办厅函[2017]21号", "环办厅函［２０１７］２１号",
                 "环办厅函(2017)21号", "环办厅函（2017）21号", "环办厅函 〔2017〕 21号"]
    assert len({doc_number_key(s) for s in spellings}) == 1


def test_a_document_number_is_also_one_word_in_any_spelling():
    from gazette.search.normalise import is_number_query, number_word

    assert number_word("國務院令第１號") == number_word("国务院令第1号") == number_word("国务院令第一号") == "国务院令1号"
    assert number_word("环办厅函〔2017〕21号") == number_word("环办厅函（２０１７）21号")
    assert is_number_query("国务院令第１号") and is_number_query("环办厅函[2017]21号")
    assert not is_number_query("现行有效") and not is_number_query("21号")


def test_fold_text_folds_as_the_table_says_in_every_plane():
    """fold_text looks characters up in a list (faster than the dict): the same text as
    str.translate with the table itself, for Traditional, full-width, Latin, spaces, characters
    outside the Basic Plane (Extension B, emoji) and above the list's end (plane 14, 15)."""
    import random

    from gazette.search.normalise import fold_table, fold_text

    table = fold_table()
    sample = "國務院關於ＡＢＣ１２３　Hello 〇𠀀𠮷😀\U000E0041\U000F0000" + "".join(chr(k) for k in list(table)[::50])
    rng = random.Random(5)
    sample += "".join(c for c in (chr(rng.randrange(0x20, 0x110000)) for _ in range(5000))
                      if not 0xD800 <= ord(c) <= 0xDFFF)  # (no lone surrogates)
    assert fold_text(sample) == sample.translate(table)
    assert fold_text("國務院ＡＢ") == "国务院ab"
