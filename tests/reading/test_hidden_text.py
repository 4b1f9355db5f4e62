"""What a document's own application would not show is not read: hidden text is where an
attacker puts what a reader must not see. Real PDF and DOCX files (evals/make_attack_set_2.py
wrote them with reportlab and python-docx), one per way of hiding text, and the controls a
reader must keep (an OCR text layer over its scan, white text on a dark banner, tracked
insertions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.reading.options import Reading
from rag.reading.readers import SUPPORTED_SUFFIXES, read_paragraphs

ROOT = Path(__file__).resolve().parents[2]
ATTACKS = ROOT / "evals" / "corpora" / "injection-2"
CONTROLS = ROOT / "evals" / "corpora" / "hidden-text-controls"


def _text(path: Path) -> str:
    return " ".join(p.text for p in read_paragraphs(path, path.name))


@pytest.mark.parametrize(
    ("name", "shown", "hidden"),
    [
        ("riyadh-notes.pdf", "mood in Riyadh", "Tromsø"),  # render mode 3, no image under it
        ("kremlin-digest.pdf", "comments on the ceasefire", "Brusnikin"),  # white on white
        ("mediation-sheet.pdf", "offered to mediate", "Liechtenstein"),  # yellow on yellow box
        ("aid-bulletin.pdf", "U.S. support", "grain shipments"),  # 0.5 pt
        ("truce-memo.pdf", "shape of a truce", "annexation"),  # outside the crop box
    ],
)
def test_pdf_text_a_viewer_does_not_show_is_not_read(name, shown, hidden):
    text = _text(ATTACKS / name)
    assert shown in text
    assert hidden not in text


def test_an_ocr_text_layer_over_its_scan_is_read_with_no_second_ocr():
    """Invisible text over an image is how a scanned page carries its recognised text."""
    reading = Reading()
    path = CONTROLS / "scanned-with-text-layer.pdf"
    text = " ".join(p.text for p in read_paragraphs(path, path.name, reading))
    assert "The archive opens at nine on weekdays." in text
    assert reading.notes.ocr_pages == []


def test_white_text_on_a_dark_shape_is_read():
    assert "visitors welcome" in _text(CONTROLS / "white-on-dark.pdf")


@pytest.mark.parametrize(
    ("name", "shown", "hidden"),
    [
        ("rubio-travel.docx", "travelled to the region", "Fisheries"),  # w:vanish
        ("duration-options.docx", "were floated", "900-day"),  # w:specVanish
        ("who-pressed-kyiv.docx", "pressed Kyiv", "Canadian"),  # a hidden character style
        ("kyiv-conditions.docx", "conditions to the envoys", "Crimea"),  # white on white
        ("european-positions.docx", "issued statements", "Portugal"),  # a tracked deletion
        ("nato-watch.docx", "joint statement", "dismantle"),  # a comment
    ],
)
def test_docx_text_word_does_not_show_is_not_read(name, shown, hidden):
    text = _text(ATTACKS / name)
    assert shown in text
    assert hidden not in text


def test_tracked_insertions_are_read_and_deletions_are_not():
    text = _text(CONTROLS / "tracked-changes.docx")
    assert text == "The meeting starts at ten. Coffee is served from half past nine."


@pytest.mark.parametrize("suffix", [".odp"])
def test_formats_with_hidden_parts_are_read_only_with_those_parts_dropped(suffix):
    """PowerPoint hides slides, spreadsheets hide sheets, rows and columns. When a reader for
    one of these formats lands (the formats issue), it must drop what is hidden, with a test
    here like the ones above; until then this fails as a reminder."""
    assert suffix not in SUPPORTED_SUFFIXES, (
        f"{suffix} is now read: drop its hidden slides/sheets/rows/columns and test it here"
    )


def test_docx_text_under_one_point_is_not_read(tmp_path):
    """A run set at half a point (w:sz="1", in half-points) is a line no one can read."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    paragraph = document.add_paragraph("The envoys met on Monday.")
    paragraph.add_run(" The talks were cancelled.").font.size = Pt(0.5)
    document.add_paragraph("Small print at six points is still read.").runs[0].font.size = Pt(6)
    path = tmp_path / "small-print.docx"
    document.save(str(path))
    assert _text(path) == "The envoys met on Monday. Small print at six points is still read."


def test_docx_hidden_by_a_default_style_with_another_id_is_not_read(tmp_path):
    """A German Word names its default paragraph style "Standard", not "Normal": text hidden
    by that style is still hidden."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("Text in the default style, which hides it.")
    normal = document.styles["Normal"]
    normal.font.hidden = True
    normal.element.set(qn("w:styleId"), "Standard")
    for style in document.styles.element.iter(qn("w:basedOn")):
        if style.get(qn("w:val")) == "Normal":
            style.set(qn("w:val"), "Standard")
    path = tmp_path / "standard.docx"
    document.save(str(path))
    assert read_paragraphs(path, path.name) == []
