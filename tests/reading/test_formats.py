"""E-books, mail, OpenDocument text and RTF, each read from a file made of real text
(tests/reading/office_files.py), cited where it is, with what its application hides left out."""

from __future__ import annotations

import pytest

import rag
from rag.reading.options import Reading
from rag.reading.readers import read_paragraphs
from rag.types import Passage
from tests.reading.office_files import (
    HIDDEN_NOTE,
    MULTIDOC,
    article_sections,
    write_eml,
    write_epub,
    write_mbox,
    write_odt,
    write_rtf,
)


def test_an_epub_is_read_chapter_by_chapter_under_its_title(tmp_path):
    book = write_epub(tmp_path / "crypto.epub")
    paragraphs = read_paragraphs(book, book.name)
    chapters = {p.location for p in paragraphs}
    assert chapters == {"chapter 1", "chapter 2"}
    token = next(p for p in paragraphs if p.text.startswith("The secrets module is used"))
    assert token.context.startswith("Python cryptographic services › secrets — Generate secure")
    assert Passage.of(token).label.startswith(f"crypto.epub ¶{token.paragraph} (chapter 1, line")
    # the chapter is read as the HTML page itself is
    page = read_paragraphs(MULTIDOC / "secrets.html", "secrets.html")
    assert [p.text for p in paragraphs if p.location == "chapter 1"] == [p.text for p in page]


def test_an_eml_has_its_subject_sender_and_date_as_heading_and_its_attachment_read(tmp_path):
    mail = write_eml(tmp_path / "notes.eml")
    paragraphs = read_paragraphs(mail, mail.name)
    heading = (
        "Notes from the ceasefire talks — Desk Editor <desk@example.org>, "
        "Tue, 18 Mar 2025 09:30:00 +0000"
    )
    _, sections = article_sections()
    body = [p for p in paragraphs if p.location is None]
    assert [p.text for p in body] == ["Hello all,", *sections[0][1], "Best, Desk"]
    assert {p.heading for p in body} == {heading}
    attached = [p for p in paragraphs if p.location and "attachment tempfile.pdf" in p.location]
    assert attached and attached[0].heading.startswith(heading + " › tempfile — Generate")
    assert attached[-1].location.startswith("attachment tempfile.pdf, page 6")
    assert not any("blob.bin" in (p.location or "") for p in paragraphs)  # not a readable type


def test_an_mbox_is_read_message_by_message(tmp_path):
    box = write_mbox(tmp_path / "box.mbox", write_eml(tmp_path / "notes.eml"))
    paragraphs = read_paragraphs(box, box.name)
    first = paragraphs[0]
    assert (first.text, first.location) == ("Hi,", "message 1")
    assert first.heading == "This is a test message — bbb@ddd.com, Fri, 04 May 2001 14:05:44 -0400"
    assert {p.location.split(",")[0] for p in paragraphs} >= {"message 1", "message 11"}
    assert any(p.location.startswith("message 11, attachment tempfile.pdf") for p in paragraphs)


def test_an_odt_is_read_with_its_headings_and_table_and_without_what_it_hides(tmp_path):
    document = write_odt(tmp_path / "ceasefire.odt")
    reading = Reading()
    paragraphs = read_paragraphs(document, document.name, reading)
    opening, sections = article_sections()
    prose = [p.text for p in paragraphs if not p.location]
    assert prose == [opening, *(text for _, texts in sections for text in texts)]
    row = next(p for p in paragraphs if p.location == "table 1, row 2")
    assert row.text.startswith("Party: Saudi Arabia · Role in the talks: hosting")
    assert row.heading == sections[0][0]
    assert not any(HIDDEN_NOTE in p.text for p in paragraphs)
    assert reading.notes.tables == 1


def test_an_rtf_is_read_without_its_hidden_text(tmp_path):
    document = write_rtf(tmp_path / "ceasefire.rtf")
    paragraphs = read_paragraphs(document, document.name)
    opening, sections = article_sections()
    assert [p.text for p in paragraphs] == [opening, *(t for _, ts in sections for t in ts)]
    assert (
        paragraphs[4].heading == "Zelenskyy’s Perspective – Security Guarantees and U.S. Tensions"
    )


@pytest.mark.parametrize(
    ("write", "question", "expected", "cited"),
    [
        (write_epub, "What does secrets.token_hex return?", "hexadecimal", "(chapter 1, line"),
        (
            write_eml,
            "When should mkstemp() files be deleted?",
            "deleting",
            "attachment tempfile.pdf",
        ),
        (write_odt, "Which party acted as a key mediator?", "Saudi Arabia", "(table 1, row 2)"),
    ],
)
@pytest.mark.slow
def test_each_format_is_answered_with_its_citation(tmp_path, write, question, expected, cited):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = {write_epub: "crypto.epub", write_eml: "notes.eml", write_odt: "ceasefire.odt"}[write]
    write(corpus / name)
    bot = rag.open(index_dir=tmp_path / "index", corpus_dir=corpus, generator="extractive")
    answer = bot.ask(question)
    assert not answer.refused and expected in answer.text
    assert any(cited in c.label for c in answer.citations), [c.label for c in answer.citations]
