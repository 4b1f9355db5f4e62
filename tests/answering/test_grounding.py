"""Checking an LLM draft against its paragraphs, with the real packaged embedding model."""

from __future__ import annotations

import pytest

from rag.answering.grounding import GroundingChecker, parse_draft, says_unknown
from rag.types import Passage

HOST = Passage(
    "a.txt",
    2,
    None,
    (3, 3),
    "Recent ceasefire discussions between Ukraine and Russia have drawn attention worldwide, "
    "with Saudi Arabia hosting the latest round of peace talks.",
    0.6,
)
PESKOV = Passage(
    "a.txt",
    6,
    None,
    (9, 9),
    "Kremlin spokesperson Dmitry Peskov stated that Russia is scrutinizing the details of the "
    "U.S.-Ukraine discussions before taking a definitive position.",
    0.5,
)


def test_markers_are_parsed_and_markers_to_nothing_removed():
    draft = parse_draft("Saudi Arabia hosted the talks [1][7]. Peskov spoke [2, 1].", 2)
    assert [(d.text, d.cited) for d in draft] == [
        ("Saudi Arabia hosted the talks.", (1,)),
        ("Peskov spoke.", (2, 1)),
    ]
    assert parse_draft("[1]", 2) == []


@pytest.mark.parametrize(
    "text",
    [
        "I don't know based on the provided context. [1]",
        "I don’t know based on the provided context.",
        "The passages do not mention the capital of Australia.",
    ],
)
def test_refusals_in_the_models_words_are_recognised(text):
    assert says_unknown(text)


def test_an_answer_is_not_a_refusal():
    assert not says_unknown("Saudi Arabia hosted the latest round of talks [1].")


@pytest.fixture(scope="module")
def checker(article_bot):
    return GroundingChecker(article_bot.embedder)


def test_a_misattributed_sentence_gets_the_marker_of_the_paragraph_that_supports_it(checker):
    claims = checker.verify(
        parse_draft("Saudi Arabia hosted the latest talks [2].", 2), [HOST, PESKOV]
    )
    assert [(c.text, c.passage.paragraph) for c in claims] == [
        ("Saudi Arabia hosted the latest talks.", 2)
    ]


def test_an_unsupported_sentence_is_dropped(checker):
    draft = parse_draft(
        "Saudi Arabia hosted the latest round of peace talks [1]. "
        "Canberra is the capital of Australia [1].",
        2,
    )
    claims = checker.verify(draft, [HOST, PESKOV])
    assert [c.text for c in claims] == ["Saudi Arabia hosted the latest round of peace talks."]
