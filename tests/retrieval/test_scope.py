"""A question asked of chosen documents only: both retrieval arms honour the scope before they
rank, citations and refusals stay inside it, and filters by type, folder and time work.

Material: Debian's licence texts (/usr/share/common-licenses, as Debian ships them) and the
bundled article."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import rag
from tests.conftest import ARTICLE, run_rag
from tests.licences import PATENT_QUESTION, copy_licences

pytestmark = pytest.mark.slow  # the embedding model on a real index

OLD = 1_262_304_000  # 2010-01-01, the time the article file is given


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scoped")
    copy_licences(root / "licences", ["GPL-3", "Apache-2.0", "MPL-2.0"])
    (root / "news").mkdir()
    shutil.copy(ARTICLE, root / "news" / ARTICLE.name)
    os.utime(root / "news" / ARTICLE.name, (OLD, OLD))
    return root


@pytest.fixture(scope="module")
def bot(corpus, tmp_path_factory) -> rag.Bot:
    index = tmp_path_factory.mktemp("scoped-index")
    return rag.open(index_dir=index, corpus_dir=corpus, generator="extractive")


def sources_of(passages) -> set[str]:
    return {p.source for p in passages}


@pytest.mark.parametrize("retrieval", ["hybrid", "dense", "bm25"])
def test_a_scope_of_one_file_gets_its_best_paragraphs_though_others_rank_higher(bot, retrieval):
    arm = rag.Bot(bot.settings.replace(retrieval=retrieval))
    unscoped = arm.retrieve(PATENT_QUESTION, k=5)
    assert "news/ukraine-russia-ceasefire-talks.txt" not in sources_of(unscoped)

    # The article says nothing of patents: a filter after the top k would leave nothing.
    scoped = arm.retrieve(PATENT_QUESTION, k=5, only=["news/ukraine-russia-ceasefire-talks.txt"])
    if retrieval == "bm25":  # ranks only paragraphs sharing a word with the question
        assert sources_of(scoped) <= {"news/ukraine-russia-ceasefire-talks.txt"}
    else:
        assert len(scoped) == 5
        assert sources_of(scoped) == {"news/ukraine-russia-ceasefire-talks.txt"}
    apache = arm.retrieve(PATENT_QUESTION, k=5, only=["Apache-2.0.txt"])
    assert apache and sources_of(apache) == {"licences/Apache-2.0.txt"}


def test_a_scoped_answer_never_cites_the_file_that_ranks_first(bot):
    unscoped = bot.ask(PATENT_QUESTION)
    assert not unscoped.refused
    first = unscoped.citations[0].source
    other = next(
        f"licences/{name}.txt"
        for name in ("Apache-2.0", "GPL-3")
        if f"licences/{name}.txt" != first
    )
    scoped = bot.ask(PATENT_QUESTION, only=[other])
    assert not scoped.refused, scoped.text
    assert sources_of(scoped.citations) == {other}
    assert sources_of(scoped.passages) == {other}


def test_folders_and_glob_patterns_choose_documents(bot):
    answer = bot.ask("Who hosted the latest round of peace talks?", only=["news/"])
    assert "Saudi Arabia" in answer.text
    answer = bot.ask(PATENT_QUESTION, only=["licences/*.txt", "MPL-2.0.txt"])
    assert sources_of(answer.passages) <= {
        "licences/GPL-3.txt",
        "licences/Apache-2.0.txt",
        "licences/MPL-2.0.txt",
    }


def test_a_refusal_names_the_selected_documents(bot):
    answer = bot.ask(
        "Who hosted the latest round of peace talks?",
        only=["licences/GPL-3.txt", "licences/MPL-2.0.txt"],
    )
    assert answer.refused
    assert answer.text == "I could not find this in the 2 selected documents."
    assert sources_of(answer.passages) <= {"licences/GPL-3.txt", "licences/MPL-2.0.txt"}


def test_filters_by_type_folder_and_modification_time(bot):
    recent = rag.Scope.of(modified_after="2015-06-01")
    found = bot.retrieve("Who hosted the latest round of peace talks?", k=8, scope=recent)
    assert "news/ukraine-russia-ceasefire-talks.txt" not in sources_of(found)
    old = rag.Scope.of(modified_before="2015-06-01", types=["txt"], folders=["news"])
    found = bot.retrieve(PATENT_QUESTION, k=3, scope=old)
    assert sources_of(found) == {"news/ukraine-russia-ceasefire-talks.txt"}


def test_a_scope_that_chooses_nothing_is_one_clear_line(bot):
    with pytest.raises(rag.ScopeError, match=r"no document matches 'manuals/\*'; the collection"):
        bot.ask(PATENT_QUESTION, only=["manuals/*"])
    with pytest.raises(rag.ScopeError, match="the scope is empty"):
        bot.ask(PATENT_QUESTION, only=[])
    with pytest.raises(rag.ScopeError, match="no document matches type .pdf"):
        bot.ask(PATENT_QUESTION, scope=rag.Scope.of(types="pdf"))
    with pytest.raises(rag.ScopeError, match="modified-after must be a date"):
        rag.Scope.of(modified_after="last tuesday")


def test_touching_a_file_updates_its_time_without_reading_it_again(corpus, tmp_path):
    index = tmp_path / "index"
    rag.ingest([corpus / "news"], index_dir=index, generator="extractive")
    os.utime(corpus / "news" / ARTICLE.name)  # now
    report = rag.ingest([corpus / "news"], index_dir=index, generator="extractive")
    assert report.unchanged == 1 and report.updated == 0
    bot = rag.open(index_dir=index, generator="extractive")
    recent = rag.Scope.of(modified_after="2015-06-01")
    assert sources_of(bot.retrieve("peace talks", k=3, scope=recent)) == {ARTICLE.name}
    os.utime(corpus / "news" / ARTICLE.name, (OLD, OLD))


def test_rag_ask_in_limits_the_answer_to_the_patterns(corpus, bot):
    index = str(bot.settings.index_dir)
    asked = run_rag(
        "--index",
        index,
        "ask",
        PATENT_QUESTION,
        "--in",
        "licences/MPL-2.0.txt",
        "--json",
        cwd=corpus,
    )
    assert asked.returncode == 0, asked.stderr
    assert '"source": "licences/GPL-3.txt"' not in asked.stdout
    assert '"source": "licences/MPL-2.0.txt"' in asked.stdout
    missing = run_rag("--index", index, "ask", PATENT_QUESTION, "--in", "nope/*", cwd=corpus)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "rag: error: no document matches 'nope/*'; the collection has 4: licences/Apache-2.0.txt,"
        " licences/GPL-3.txt, licences/MPL-2.0.txt, news/ukraine-russia-ceasefire-talks.txt"
    ]
