"""Spreadsheets (.xlsx, .ods) read a row at a time, one paragraph per row with its headers,
cited by sheet and row; what the spreadsheet hides is not read."""

from __future__ import annotations

import zipfile

import pytest

import rag
from rag.errors import UnreadableDocumentError
from rag.reading.options import Reading, ReadingOptions
from rag.reading.readers import read_paragraphs
from rag.types import Passage
from tests.conftest import ARTICLE
from tests.reading.office_files import HIDDEN_NOTE, ISO_3166, tzdata_rows, write_ods, write_xlsx


def test_an_xlsx_row_carries_its_headers_and_its_sheet_and_row(tmp_path):
    reading = Reading()
    paragraphs = read_paragraphs(write_xlsx(tmp_path / "tz.xlsx"), "tz.xlsx", reading)
    first = Passage.of(paragraphs[0])
    assert first.text == "Code: AD · Country: Andorra"
    assert first.label == "tz.xlsx ¶1 (sheet Countries, row 3)"
    assert first.context == "tz › Countries › ISO 3166 country codes"  # the caption row
    zone = next(p for p in paragraphs if "Europe/Andorra" in p.text)
    assert zone.text == "Country codes: AD · TZ: Europe/Andorra"  # no hidden Coordinates
    assert zone.location == "sheet Zones, row 2"
    assert reading.notes.tables == 2
    assert reading.notes.skipped == ["sheet Notes: hidden, not read"]


def test_an_ods_row_carries_its_headers_and_its_sheet_and_row(tmp_path):
    reading = Reading()
    paragraphs = read_paragraphs(write_ods(tmp_path / "tz.ods"), "tz.ods", reading)
    countries = tzdata_rows(ISO_3166)
    assert len(paragraphs) == len(countries) - 1  # the hidden row left out
    assert Passage.of(paragraphs[-1]).label.endswith(f"(sheet Countries, row {len(countries) + 1})")
    assert paragraphs[0].text == f"Code: {countries[0][0]} · Country: {countries[0][1]}"
    assert reading.notes.skipped == ["sheet Notes: hidden, not read"]


@pytest.mark.parametrize("write", [write_xlsx, write_ods])
def test_hidden_sheets_rows_and_columns_are_not_read(tmp_path, write):
    name = "tz" + (".xlsx" if write is write_xlsx else ".ods")
    paragraphs = read_paragraphs(write(tmp_path / name), name)
    text = "\n".join(p.text for p in paragraphs)
    countries = tzdata_rows(ISO_3166)
    assert HIDDEN_NOTE not in text
    assert f"Code: {countries[2][0]} · " not in text  # the hidden row (the third country)
    assert f"Code: {countries[3][0]} · " in text


@pytest.mark.parametrize("write", [write_xlsx, write_ods])
def test_the_row_limit_cuts_a_sheet_and_says_so(tmp_path, write):
    name = "tz" + (".xlsx" if write is write_xlsx else ".ods")
    reading = Reading(ReadingOptions(table_max_rows=10))
    paragraphs = read_paragraphs(write(tmp_path / name), name, reading)
    assert len([p for p in paragraphs if p.location.startswith("sheet Countries, row ")]) == 10
    assert any(
        line.startswith("sheet Countries: only the first 10 rows read") and "table_max_rows" in line
        for line in reading.notes.skipped
    )


def test_a_spreadsheet_that_is_not_one_is_refused_in_one_line(tmp_path):
    for name in ("broken.xlsx", "broken.ods"):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "text/plain")
        with pytest.raises(UnreadableDocumentError, match=f"cannot read {name}: not a readable"):
            read_paragraphs(path, name)


@pytest.mark.slow
def test_a_question_about_one_cell_is_answered_from_its_sheet_row(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_xlsx(corpus / "tz.xlsx")
    (corpus / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    bot = rag.open(index_dir=tmp_path / "index", corpus_dir=corpus, generator="extractive")
    answer = bot.ask("Which time zone does Andorra use?")
    assert not answer.refused and "Europe/Andorra" in answer.text
    cited = [c for c in answer.citations if "Europe/Andorra" in c.text]
    assert cited and cited[0].label.endswith(" (sheet Zones, row 2)")
