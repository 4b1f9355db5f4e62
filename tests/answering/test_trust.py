"""Answers on a set of related documents: the named document wins, on-topic questions the
documents do not answer are refused, and only whole sentences of prose are returned.

Real documents (the multidoc eval corpus: licences and Python docs), the real packaged
embedding model, and the packaged local model where named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import rag
from rag.answering.factory import extractive_generator, model_generator
from rag.text import split_sentences
from tests.conftest import require_local_llm

MULTIDOC = Path(__file__).resolve().parents[2] / "evals" / "corpora" / "multidoc"
FILES = ("apache-2.0.txt", "mpl-2.0.txt", "secrets.html", "random.html")


@pytest.fixture(scope="module")
def related_bot(tmp_path_factory) -> rag.Bot:
    corpus = tmp_path_factory.mktemp("related")
    for name in FILES:
        shutil.copy(MULTIDOC / name, corpus / name)
    bot = rag.open(tmp_path_factory.mktemp("index"), corpus_dir=corpus, generator="extractive")
    bot.ingest([corpus], progress=False)
    return bot


def test_documents_know_their_titles_and_citations_show_them(related_bot):
    answer = related_bot.ask("What does secrets.randbelow(n) return?")
    assert not answer.refused
    cited = answer.citations[0]
    assert cited.source == "secrets.html"
    assert cited.title == "secrets — Generate secure random numbers for managing secrets"
    assert cited.context.startswith(cited.title)


@pytest.mark.parametrize(
    ("question", "source"),
    [
        (
            "Under the Apache License, when do patent licenses terminate after patent litigation?",
            "apache-2.0.txt",
        ),
        (
            "Under the Mozilla Public License, when do patent licenses terminate after patent "
            "litigation?",
            "mpl-2.0.txt",
        ),
        ("In the random module, what does choice return?", "random.html"),
        ("In the secrets module, what does choice return?", "secrets.html"),
    ],
)
def test_a_question_naming_a_document_ranks_its_paragraphs_first(related_bot, question, source):
    """Both licences have a patent-litigation clause and both modules a choice(): the title
    the question names decides."""
    assert related_bot.retrieve(question)[0].source == source


ON_TOPIC_UNANSWERABLE = (
    "Exactly how many bytes does secrets.token_hex use by default?",
    "In which year did Python first adopt the Mersenne Twister?",
)


@pytest.mark.parametrize("question", ON_TOPIC_UNANSWERABLE)
def test_an_on_topic_unanswerable_question_is_refused_by_the_extractive_generator(
    related_bot, question
):
    assert related_bot.ask(question).refused


@pytest.mark.parametrize("question", ON_TOPIC_UNANSWERABLE)
def test_an_on_topic_unanswerable_question_is_refused_by_the_local_generator(related_bot, question):
    require_local_llm()
    bot = rag.Bot(related_bot.settings.replace(generator="local"))
    answer = bot.ask(question)
    assert answer.refused, answer.text


def test_code_blocks_are_cited_but_never_quoted_as_answer_sentences(related_bot):
    question = "How do I generate an eight-character alphanumeric password with secrets?"
    answer = related_bot.ask(question)
    code = [p for p in related_bot.retrieve(question) if p.code]
    assert code, "the recipe's code block should be retrieved"
    for passage in code:
        for line in passage.text.splitlines():
            if line.strip():
                assert line.strip() not in answer.text
    assert "import string" not in answer.text


class ScriptedModel:
    """Stands in for the language model (an external component) to send a chosen draft."""

    def __init__(self, draft: str):
        self.draft = draft

    def stream_chat(self, messages, max_tokens):
        yield self.draft


@pytest.mark.parametrize(
    "draft",
    [
        "The patent licenses shall terminate as of the [1].",  # cut off: a fragment
        "Patent litigation [1].",  # a noun phrase, not an answer
        "import string import secrets alphabet = string [1].",  # code read as prose
    ],
)
def test_a_fragment_or_code_from_the_model_is_not_returned(related_bot, draft):
    question = "Under the Apache License, when do patent licenses terminate after litigation?"
    generator = model_generator(
        "scripted", related_bot.settings, related_bot.embedder, ScriptedModel(draft)
    )
    answer = generator.generate(question, related_bot.retrieve(question))
    assert draft.split(" [")[0] not in answer.text
    assert answer.generator == "scripted+extractive"  # the quoting fallback answered
    for sentence in split_sentences(answer.text):
        assert len(sentence.split()) >= 4


def test_a_repeated_sentence_from_the_model_is_said_once(related_bot):
    question = "Under the Apache License, when do patent licenses terminate after litigation?"
    sentence = (
        "Patent licenses granted to You under this License for that Work shall terminate as "
        "of the date such litigation is filed"
    )
    model = ScriptedModel(f"{sentence} [1]. {sentence} [2]. {sentence} [1].")
    generator = model_generator("scripted", related_bot.settings, related_bot.embedder, model)
    answer = generator.generate(question, related_bot.retrieve(question))
    assert not answer.refused
    assert answer.text.count("shall terminate as of the date") == 1, answer.text


def test_extractive_answers_are_whole_sentences_said_once(related_bot):
    generator = extractive_generator(related_bot.settings, related_bot.embedder)
    question = "What should be compared with compare_digest instead of the == operator?"
    answer = generator.generate(question, related_bot.retrieve(question))
    sentences = [s for s in split_sentences(answer.text)]
    assert len(sentences) == len(set(sentences))
