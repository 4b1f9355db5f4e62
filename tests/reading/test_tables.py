"""Delimited tables (.csv, .tsv) read as one paragraph per row, each row with its headers, on
real tables: the Titanic passenger list that ships inside gradio, tzdata's ISO 3166 table."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import gradio
import pytest

import rag
from rag.reading.options import Reading
from rag.reading.readers import read_paragraphs
from rag.types import Passage
from tests.conftest import ARTICLE

# The Titanic passenger list (891 rows, a header line, quoted names with commas), installed
# with gradio as demo data.
TITANIC = Path(gradio.__file__).parent / "media_assets" / "data" / "titanic.csv"
ISO_3166 = Path("/usr/share/zoneinfo/iso3166.tab")  # tzdata: '#' comments, no header, tabs


def test_each_row_is_a_paragraph_that_carries_its_headers_and_its_line():
    paragraphs = read_paragraphs(TITANIC, "titanic.csv")
    assert len(paragraphs) == 891  # too large to be kept whole as well
    first = paragraphs[0]
    assert first.text == (
        "PassengerId: 1 · Survived: 0 · Pclass: 3 · Name: Braund, Mr. Owen Harris · Sex: male "
        "· Age: 22 · SibSp: 1 · Parch: 0 · Ticket: A/5 21171 · Fare: 7.25 · Embarked: S"
    )  # the empty Cabin cell left out
    assert (first.lines, first.heading, first.code) == ((2, 2), "titanic", False)
    assert paragraphs[-1].lines == (892, 892) and "Dooley, Mr. Patrick" in paragraphs[-1].text


def test_a_small_table_is_also_kept_whole_and_quoted_cells_keep_their_lines(tmp_path):
    lines = TITANIC.read_text(encoding="utf-8").splitlines()
    small = tmp_path / "passengers.csv"
    # the first ten passengers, one name spread over two lines inside its quotes
    small.write_text("\n".join(lines[:11]).replace("Braund, Mr.", "Braund,\nMr.") + "\n")
    paragraphs = read_paragraphs(small, small.name)
    assert len(paragraphs) == 11  # ten rows and the whole table
    assert paragraphs[0].lines == (2, 3) and "Name: Braund, Mr. Owen Harris" in paragraphs[0].text
    assert paragraphs[1].lines == (4, 4)
    whole = paragraphs[-1]
    assert whole.code and whole.lines == (1, 12)
    assert whole.text.splitlines()[0] == " | ".join(lines[0].split(","))


def test_a_headerless_tab_separated_table_skips_its_comments(tmp_path):
    if not ISO_3166.exists():
        pytest.skip("needs tzdata's /usr/share/zoneinfo/iso3166.tab")
    table = tmp_path / "iso3166.tsv"
    shutil.copy(ISO_3166, table)
    paragraphs = read_paragraphs(table, table.name)
    first_data_line = next(
        n for n, line in enumerate(ISO_3166.read_text().splitlines(), 1) if line[:1] != "#"
    )
    assert paragraphs[0].text == "AD · Andorra" and paragraphs[0].lines[0] == first_data_line
    assert not any(p.text.startswith("#") for p in paragraphs)
    assert "NO · Norway" in {p.text for p in paragraphs}


@pytest.mark.slow
def test_a_question_about_one_cell_is_answered_from_its_row(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TITANIC, corpus)
    shutil.copy(ARTICLE, corpus)
    bot = rag.open(index_dir=tmp_path / "index", corpus_dir=corpus, generator="extractive")
    answer = bot.ask("How old was Owen Harris Braund?")
    assert not answer.refused and "Age: 22" in answer.text
    assert answer.citations[0].label == "titanic.csv ¶1 (line 2)"
    fare = bot.ask("What fare did Patrick Dooley pay?")
    assert "Fare: 7.75" in fare.text and fare.citations[0].lines == (892, 892)
    assert "Saudi Arabia" in bot.ask("Which country hosted the latest round of peace talks?").text


@pytest.fixture(scope="module")
def python_docs(tmp_path_factory) -> Path:
    """The HTML pages of Python's documentation from Debian's python3.11-doc (PSF licence),
    fetched with apt-get download unless apt's cache has it."""
    work = tmp_path_factory.mktemp("python-docs")
    cached = sorted(Path("/var/cache/apt/archives").glob("python3.11-doc_*_all.deb"))
    if not cached:
        fetched = subprocess.run(
            ["apt-get", "download", "python3.11-doc"], cwd=work, capture_output=True, text=True
        )
        cached = sorted(work.glob("python3.11-doc_*_all.deb"))
        if fetched.returncode or not cached:
            if os.environ.get("CI"):
                pytest.fail(f"cannot fetch python3.11-doc: {fetched.stderr.strip()}")
            pytest.skip("cannot fetch python3.11-doc (apt-get download)")
    subprocess.run(["dpkg-deb", "-x", str(cached[-1]), str(work / "deb")], check=True)
    return work / "deb" / "usr" / "share" / "doc" / "python3.11" / "html" / "library"


@pytest.mark.slow
def test_an_html_table_cell_is_answered_from_its_row_with_the_headers(python_docs, tmp_path):
    page = python_docs / "array.html"
    paragraphs = read_paragraphs(page, "array.html")
    rows = {p.text: p for p in paragraphs if not p.code}
    double = rows["Type code: 'd' · C Type: double · Python Type: float · Minimum size in bytes: 8"]
    assert double.heading == "array — Efficient arrays of numeric values"
    source = page.read_text(encoding="utf-8").splitlines()
    first, last = double.lines
    assert "double" in "\n".join(source[first - 1 : last])  # the row's own lines in the page
    whole = next(p for p in paragraphs if p.code and p.text.startswith("Type code | C Type"))
    assert whole.lines[0] < first <= last <= whole.lines[1]  # the table kept whole, too

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(page, corpus)
    bot = rag.open(index_dir=tmp_path / "index", corpus_dir=corpus, generator="extractive")
    answer = bot.ask("Which type code is a signed long long?")
    assert not answer.refused
    assert "Type code: 'q' · C Type: signed long long" in answer.text
    cited = [c for c in answer.citations if "signed long long" in c.text]
    assert cited and cited[0].label.startswith("array.html ¶11 (lines ")


def test_a_word_table_is_read_a_row_at_a_time_with_its_headers(tmp_path):
    """The key players of the ceasefire article as a Word table under a heading, one cell's
    note hidden (w:vanish), between two paragraphs."""
    import docx

    from tests.reading.office_files import HIDDEN_NOTE, KEY_PLAYERS

    document = docx.Document()
    document.add_heading("Key players", level=1)
    document.add_paragraph("The parties to the talks and their roles.")
    table = document.add_table(rows=0, cols=2)
    for cells in KEY_PLAYERS:
        row = table.add_row()
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    table.rows[2].cells[1].paragraphs[0].add_run(" " + HIDDEN_NOTE).font.hidden = True
    document.add_paragraph("The talks aim to reach a temporary truce.")
    path = tmp_path / "players.docx"
    document.save(str(path))

    reading = Reading()
    paragraphs = read_paragraphs(path, path.name, reading)
    texts = [p.text for p in paragraphs]
    assert texts[0] == "The parties to the talks and their roles."
    assert texts[1] == (
        "Party: Saudi Arabia · Role in the talks: hosting the latest round of peace talks; "
        "acted as a key mediator"
    )
    assert paragraphs[1].location == "table 1, row 2" and paragraphs[1].heading == "Key players"
    assert paragraphs[2].text.endswith("among the high-profile figures involved")  # no hidden run
    assert paragraphs[4].code and paragraphs[4].location == "table 1, rows 1-4"  # kept whole
    assert texts[-1] == "The talks aim to reach a temporary truce."
    assert reading.notes.tables == 1


@pytest.mark.slow  # prints with Chromium
def test_a_pdf_table_is_read_a_row_at_a_time_with_its_headers(python_docs, tmp_path):
    """array.html printed to PDF by Chromium, as a user saves a page: its ruled table of type
    codes becomes rows with headers, cited by page, table, row and line."""
    from tests.reading.test_documents import print_to_pdf

    pdf = tmp_path / "array.pdf"
    print_to_pdf(python_docs / "array.html", pdf)
    reading = Reading()
    paragraphs = read_paragraphs(pdf, pdf.name, reading)
    double = next(p for p in paragraphs if "C Type: double" in p.text)
    assert double.text == (
        "Type code: 'd' · C Type: double · Python Type: float · Minimum size in bytes: 8"
    )
    assert double.page == 1 and double.location == "table 1, row 14"
    assert Passage.of(double).label.startswith(f"array.pdf ¶{double.paragraph} (page 1, table 1")
    assert not any("signed char unsigned char" in p.text for p in paragraphs)  # no glued cells
    assert reading.notes.tables == 1
    prose = next(p for p in paragraphs if p.text.startswith("This module defines an object type"))
    assert prose.location is None
