"""PowerPoint decks read slide by slide: the title as the heading, each paragraph, table row and
speaker note cited by its slide; what the slide show hides is not read. The deck is made from
the ceasefire article (tests/reading/office_files.py)."""

from __future__ import annotations

import zipfile

import pytest

import rag
from rag.errors import UnreadableDocumentError
from rag.reading.options import Reading
from rag.reading.readers import read_paragraphs
from rag.types import Passage
from tests.reading.office_files import HIDDEN_NOTE, write_pptx


@pytest.fixture
def deck(tmp_path):
    return write_pptx(tmp_path / "ceasefire.pptx")


def test_each_paragraph_is_cited_by_its_slide_under_its_title(deck):
    reading = Reading()
    paragraphs = read_paragraphs(deck, deck.name, reading)
    peskov = next(p for p in paragraphs if "Dmitry Peskov" in p.text)
    assert Passage.of(peskov).label == f"ceasefire.pptx ¶{peskov.paragraph} (slide 5)"
    assert peskov.context == (
        "Ceasefire talks › Putin’s Stance – Strategic Maneuvers and Diplomatic Calculations"
    )
    notes = next(p for p in paragraphs if p.text.startswith("Putin sees the ceasefire"))
    assert notes.location == "slide 5, notes"
    row = next(p for p in paragraphs if p.text.startswith("Party: Saudi Arabia"))
    assert row.text.startswith("Party: Saudi Arabia · Role in the talks: hosting the latest")
    assert (row.location, row.heading) == ("slide 3, row 2", "Ceasefire talks › Key players")
    assert reading.notes.tables == 1


def test_hidden_slides_and_shapes_are_not_read(deck):
    reading = Reading()
    paragraphs = read_paragraphs(deck, deck.name, reading)
    assert not any(HIDDEN_NOTE in p.text for p in paragraphs)
    assert reading.notes.skipped == ["slide 8: hidden, not read"]
    assert {p.location.split(",")[0] for p in paragraphs} == {f"slide {n}" for n in range(1, 8)}


def test_a_file_that_is_not_a_deck_is_refused_in_one_line(tmp_path):
    path = tmp_path / "broken.pptx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(UnreadableDocumentError, match="cannot read broken.pptx: not a readable"):
        read_paragraphs(path, path.name)


@pytest.mark.slow
def test_a_slide_is_cited_by_number(deck, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / deck.name).write_bytes(deck.read_bytes())
    bot = rag.open(index_dir=tmp_path / "index", corpus_dir=corpus, generator="extractive")
    answer = bot.ask("What did Kremlin spokesperson Dmitry Peskov state?")
    assert not answer.refused and "scrutinizing" in answer.text
    assert answer.citations[0].label.endswith(" (slide 5)")
    host = bot.ask("Which party acted as a key mediator?")
    assert "Saudi Arabia" in host.text
