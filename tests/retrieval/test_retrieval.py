"""Retrieval arms: BM25 kept in step with the store, exact rare words, deterministic fusion."""

import pytest

import rag

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command

FERRY = "The night ferry to Vardø leaves from pier four when the harbour master rings the bell.\n"
MUSEUM = "The museum of glass keeps a chandelier made by Oskar Lindqvist in 1911.\n"


def search(bot, query, k=10):
    return [(p.source, p.paragraph) for p in bot.retrieve(query, k=k)]


def test_bm25_arm_follows_reingest_edit_and_delete(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    (corpus / "museum.txt").write_text(MUSEUM)
    rag.ingest([corpus], index_dir=index_dir)
    rag.ingest([corpus], index_dir=index_dir)  # unchanged: nothing may be doubled
    bot = rag.open(index_dir=index_dir, retrieval="bm25")
    assert search(bot, "Lindqvist chandelier") == [("museum.txt", 1)]

    (corpus / "museum.txt").write_text(MUSEUM.replace("Oskar Lindqvist", "Britta Holm"))
    rag.ingest([corpus], index_dir=index_dir)
    assert search(bot, "Lindqvist") == []  # the same open bot sees the edit
    assert search(bot, "Britta Holm chandelier") == [("museum.txt", 1)]

    (corpus / "museum.txt").unlink()
    rag.ingest([corpus], index_dir=index_dir)
    assert search(bot, "Britta Holm chandelier") == []
    assert search(rag.open(index_dir=index_dir, retrieval="bm25"), "ferry pier") == [
        ("ferry.txt", 1)
    ]


def test_bm25_arm_is_saved_beside_the_index_and_reloaded(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    saved = index_dir / "lexical" / "paragraphs" / "meta.json"
    assert saved.exists()
    written = saved.stat().st_mtime_ns
    assert search(rag.open(index_dir=index_dir, retrieval="bm25"), "Vardø") == [("ferry.txt", 1)]
    assert saved.stat().st_mtime_ns == written  # loaded, not rebuilt


def test_a_surname_that_occurs_once_ranks_its_paragraph_first(article_bot):
    for surname, paragraph in (("Peskov", 6), ("Rubio", 2)):
        [best, *_] = article_bot.retrieve(surname, k=5)
        assert best.paragraph == paragraph and surname in best.text
        assert best.lexical_score > 0 and best.fused_score == 1.0


def test_hybrid_ranking_is_deterministic(article_bot, article_corpus):
    question = "What security guarantees does Ukraine want?"
    first = [p.to_dict() for p in article_bot.retrieve(question, k=8)]
    assert [p.to_dict() for p in article_bot.retrieve(question, k=8)] == first
    reopened = rag.open(
        index_dir=article_bot.settings.index_dir, corpus_dir=article_corpus, generator="extractive"
    )
    assert [p.to_dict() for p in reopened.retrieve(question, k=8)] == first
    fused = [p["fused_score"] for p in first]
    assert fused == sorted(fused, reverse=True)


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_arm_returns_whole_paragraphs_with_their_similarity(article_bot, mode):
    bot = rag.Bot(article_bot.settings.replace(retrieval=mode))
    passages = bot.retrieve("Who hosted the peace talks?", k=3)
    assert len(passages) == 3 and passages[0].paragraph == 2
    assert all(0 < p.score <= 1 for p in passages)  # cosine, whatever the arm
    assert all((p.lexical_score is None) == (mode == "dense") for p in passages)
    assert all((p.fused_score is None) == (mode != "hybrid") for p in passages)
    article = (article_bot.settings.corpus_dir / "ukraine-russia-ceasefire-talks.txt").read_text()
    assert all(p.text in article for p in passages)


def test_unknown_retrieval_mode_is_a_clear_error(article_bot):
    bot = rag.Bot(article_bot.settings.replace(retrieval="sparse"))
    with pytest.raises(rag.ConfigError, match="unknown retrieval 'sparse'"):
        bot.retrieve("peace")


def test_an_index_built_with_other_windows_is_rebuilt_by_ingest(corpus, index_dir):
    (corpus / "ferry.txt").write_text(FERRY)
    rag.ingest([corpus], index_dir=index_dir)
    rag.ingest([corpus], index_dir=index_dir, window_sentences=2)
    report = rag.ingest([corpus], index_dir=index_dir)
    assert (report.added, report.unchanged, report.paragraphs) == (1, 0, 1)
    assert search(rag.open(index_dir=index_dir), "ferry pier") == [("ferry.txt", 1)]


@pytest.fixture(scope="module")
def bots_by_mode(article_corpus, tmp_path_factory) -> dict[str, rag.Bot]:
    """The bundled article indexed once, opened with each retrieval arm."""
    index = tmp_path_factory.mktemp("article-arms")
    rag.ingest([article_corpus], index_dir=index)
    return {
        mode: rag.open(index_dir=index, generator="extractive", retrieval=mode)
        for mode in ("hybrid", "bm25", "dense")
    }


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
@pytest.mark.parametrize("question", ["???", "is it?", "the of and", "a\x00b", "…!!"])
def test_question_of_only_stop_words_or_punctuation_is_refused_not_a_crash(
    bots_by_mode, mode, question
):
    """Regression: bm25s raised IndexError on a query with no words left after tokenising."""
    bot = bots_by_mode[mode]
    assert isinstance(bot.retrieve(question, k=5), list)
    assert bot.ask(question).refused
