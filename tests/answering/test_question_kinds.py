"""Answering what the documents say: plain questions are not refused, and summaries, lists,
comparisons, yes/no and why/how questions get answers of their kind (issue 19), from both
generators, on the bundled article with the real packaged embedding model."""

from __future__ import annotations

import re

import pytest

import rag
from rag.answering.answerability import MARKERS, is_whole_sentence
from rag.answering.compose import with_marker
from rag.answering.kinds import COMPARISON, LIST, SUMMARY, WHY_HOW, YES_NO, kind_of
from tests.conftest import require_local_llm

ARTICLE = "ukraine-russia-ceasefire-talks.txt"
# Plain questions that were refused (issue 19), their answer and the paragraph that holds it.
PLAIN = [
    ("What position does Marco Rubio hold?", "Secretary of State", 2),
    ("What did the United States temporarily freeze?", "military aid", 5),
    ("Who speaks for the Kremlin in the article?", "Dmitry Peskov", 6),
]


@pytest.fixture(scope="module")
def local_bot(article_corpus, tmp_path_factory):
    require_local_llm()
    index = tmp_path_factory.mktemp("kinds-local-index")
    return rag.open(index_dir=index, corpus_dir=article_corpus, generator="local")


def _cited(answer) -> set[int]:
    return {c.paragraph for c in answer.citations}


def _check_plain(answer, expected: str, paragraph: int) -> None:
    assert not answer.refused, answer.text
    assert expected.lower() in answer.text.lower()
    assert paragraph in _cited(answer)
    assert all(c.source == ARTICLE for c in answer.citations)


@pytest.mark.parametrize(("question", "expected", "paragraph"), PLAIN)
def test_plain_questions_are_answered_from_the_right_paragraph(
    article_bot, question, expected, paragraph
):
    _check_plain(article_bot.ask(question), expected, paragraph)


@pytest.mark.parametrize(("question", "expected", "paragraph"), PLAIN)
def test_plain_questions_are_answered_by_the_local_model(local_bot, question, expected, paragraph):
    _check_plain(local_bot.ask(question), expected, paragraph)


@pytest.mark.parametrize("question", ["What is this article about?", "Summarize the article."])
def test_a_summary_is_several_cited_sentences_from_several_paragraphs(article_bot, question):
    answer = article_bot.ask(question)
    assert not answer.refused
    # every sentence ends with its marker: nothing between the markers is uncited
    sentences = [s for s in re.split(r"(?<=\][.!?])\s+", answer.text) if s]
    assert len(sentences) >= 3
    assert all(re.search(r"\[\d+\][.!?]?$", s) for s in sentences), sentences
    assert len(_cited(answer)) >= 3
    # in document order, and each sentence is the article's own
    assert [c.paragraph for c in answer.citations] == sorted(_cited(answer))
    article = "\n".join(c.text for c in answer.citations)
    for sentence in sentences:
        assert MARKERS.sub("", sentence).rstrip(".") in article


def test_the_local_generator_summarises_too(local_bot):
    answer = local_bot.ask("What is this article about?")
    assert not answer.refused and len(_cited(answer)) >= 3


def test_a_list_question_cites_several_paragraphs_and_names_the_items(article_bot):
    answer = article_bot.ask("Which countries are taking part in or supporting the talks?")
    assert not answer.refused
    assert len(_cited(answer)) >= 3
    for country in ("Saudi Arabia", "France", "Germany"):
        assert country in answer.text
    assert "United Kingdom" not in answer.text  # never named by the article
    people = article_bot.ask("Who are the key people named?")
    assert not people.refused and len(_cited(people)) >= 3
    assert sum(name in people.text for name in ("Zelenskyy", "Putin", "Rubio", "Peskov")) >= 3


def test_a_comparison_gives_evidence_for_each_side(article_bot):
    answer = article_bot.ask("How do Zelenskyy's and Putin's positions differ?")
    assert not answer.refused
    assert "Zelenskyy" in answer.text and "Putin" in answer.text
    assert "security guarantees" in answer.text


@pytest.mark.parametrize(
    ("question", "opening", "fact"),
    [
        ("Did Saudi Arabia host the latest round of talks?", "Yes", "Saudi Arabia"),
        ("Did Qatar host the latest talks?", "No", "Saudi Arabia"),
        ("Has Putin's government made binding commitments?", "No", "reluctant"),
    ],
)
def test_a_yes_no_question_starts_with_yes_or_no_and_the_sentence_that_says_so(
    article_bot, question, opening, fact
):
    answer = article_bot.ask(question)
    assert answer.text.startswith(f"{opening}. ")
    assert fact in answer.text and answer.citations


def test_the_local_model_yes_no_answer_starts_with_yes_or_no(local_bot):
    answer = local_bot.ask("Did Saudi Arabia host the latest round of talks?")
    assert answer.text.startswith(("Yes", "No")), answer.text
    assert answer.citations


def test_a_why_question_gets_the_sentence_that_gives_the_reason(article_bot):
    answer = article_bot.ask("Why are relations between Washington and Kyiv strained?")
    assert "frozen military aid" in answer.text


def test_a_marker_is_never_inside_a_quotation_or_a_bracket():
    assert with_marker("Objects are copied with copy.deepcopy().", 1) == (
        "Objects are copied with copy.deepcopy() [1]."
    )
    assert with_marker("Sorted (smallest to largest).", 2) == "Sorted (smallest to largest) [2]."
    assert with_marker('He said "we agree."', 3) == 'He said "we agree." [3]'
    assert with_marker("He said: “yes”.", 4) == "He said: “yes” [4]."
    # a sentence cut inside a bracket is not a sentence at all
    assert not is_whole_sentence("Other objects are copied with copy.deepcopy(")
    assert not is_whole_sentence("The list is sorted in place (smallest to largest")


def test_no_answer_puts_a_marker_inside_brackets_or_quotes(article_bot):
    for question in ("Summarize the article.", "Who are the key people named?"):
        text = article_bot.ask(question).text
        assert not re.search(r"\[\d+\]\s*[)\]”\"]", text), text


def test_a_refusal_still_refuses(article_bot):
    for question in ("What is the capital of Australia?", "What is China's position?"):
        assert article_bot.ask(question).refused


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Summarize the tempfile documentation.", SUMMARY),
        ("What is this article about?", SUMMARY),
        ("What are the main points?", SUMMARY),
        ("Which countries are taking part in the talks?", LIST),
        ("Who are the key people named?", LIST),
        ("What is the difference between secrets and random?", COMPARISON),
        ("Does the GPL allow sublicensing?", YES_NO),
        ("Why is mktemp() not secure?", WHY_HOW),
        ("Is it final or still a draft?", "fact"),
        ("How many bytes should tokens use?", "fact"),
        ("Who is the Kremlin spokesperson?", "fact"),
    ],
)
def test_question_kinds_are_read_from_the_wording(question, kind):
    assert kind_of(question).kind == kind


def test_comparison_sides_are_found():
    assert kind_of("How does mkstemp() differ from TemporaryFile() in cleanup?").sides == (
        "mkstemp()",
        "TemporaryFile()",
    )
