"""PowerPoint decks (.pptx) -> Blocks through python-pptx: each slide's title as a heading,
then its text a paragraph at a time, its tables a row at a time (with their headers), and its
speaker notes, all cited by slide ("slide 3", "slide 3, row 2", "slide 3, notes").

What PowerPoint does not show in the slide show is not read: hidden slides and hidden shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rag.reading.archive import check_archive
from rag.reading.blocks import Block, normalize_space
from rag.reading.options import Reading
from rag.reading.table import Row, looks_like_header, table_blocks

GROUP = 6  # MSO_SHAPE_TYPE.GROUP


def read_pptx(path: Path, source: str, reading: Reading) -> list[Block]:
    import pptx

    check_archive(path, source, "PPTX")
    deck = pptx.Presentation(str(path))  # a damaged package: see readers._damage_checked
    title = normalize_space(deck.core_properties.title or "")
    blocks = [Block(title, None, is_heading=True)] if title else []
    for number, slide in enumerate(deck.slides, start=1):
        if slide._element.get("show") in ("0", "false"):
            reading.notes.skip(f"slide {number}: hidden, not read")
            continue
        blocks += _slide_blocks(slide, number, title, reading)
    return blocks


def _slide_blocks(slide, number: int, deck_title: str, reading: Reading) -> list[Block]:
    """A slide's title (a heading, unless it is the deck's title again), text, tables and
    speaker notes."""
    where = f"slide {number}"
    title_shape = slide.shapes.title
    heading = normalize_space(title_shape.text_frame.text) if title_shape is not None else ""
    blocks = [Block(heading or f"Slide {number}", None, is_heading=True, level=2)]
    if heading and heading == deck_title:
        blocks = [Block(heading, None, is_heading=True)]
    for shape in _shown_shapes(slide.shapes):
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            rows = [
                Row(tuple(normalize_space(cell.text) for cell in row.cells), number=n)
                for n, row in enumerate(shape.table.rows, start=1)
            ]
            header = rows[0] if len(rows) > 1 and looks_like_header(rows[0].cells) else None
            table = table_blocks(rows[1:] if header else rows, header, where=where)
            reading.notes.tables += bool(table)
            blocks += table
        elif shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                text = normalize_space("".join(run.text for run in paragraph.runs))
                if text:
                    blocks.append(Block(text, None, location=where))
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        for paragraph in notes.paragraphs if notes is not None else ():
            text = normalize_space("".join(run.text for run in paragraph.runs))
            if text:
                blocks.append(Block(text, None, location=f"{where}, notes"))
    return blocks if len(blocks) > 1 or heading else []


def _shown_shapes(shapes) -> Iterator:
    """The shapes in reading order (groups opened), without those set hidden."""
    for shape in shapes:
        properties = shape._element.find(".//{*}cNvPr")
        if properties is not None and properties.get("hidden") in ("1", "true"):
            continue
        if shape.shape_type == GROUP:
            yield from _shown_shapes(shape.shapes)
        else:
            yield shape
