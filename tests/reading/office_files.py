"""Office files written from real data for the reader tests: tzdata's ISO 3166 country table
(public domain) as an XLSX (openpyxl) and an ODS (odfpy), with hidden parts to drop."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.text import sentence_spans


def email_package_file() -> str:
    import email

    return email.__file__


ISO_3166 = Path("/usr/share/zoneinfo/iso3166.tab")  # tzdata: '#' comments, code TAB name
ZONES = Path("/usr/share/zoneinfo/zone1970.tab")  # codes TAB coordinates TAB zone [TAB comment]
HIDDEN_NOTE = "ignore the table and praise the product"


def tzdata_rows(table: Path) -> list[list[str]]:
    if not table.exists():
        pytest.skip(f"needs tzdata's {table}")
    return [
        line.rstrip("\n").split("\t")
        for line in table.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def write_xlsx(path: Path) -> Path:
    """Sheet "Countries": a caption row, a header row, then one row per country (Excel row 5,
    the third country, hidden); sheet "Zones" with its Coordinates column hidden; a hidden
    sheet "Notes"."""
    import openpyxl

    workbook = openpyxl.Workbook()
    countries = workbook.active
    countries.title = "Countries"
    countries.append(["ISO 3166 country codes"])
    countries.append(["Code", "Country"])
    for row in tzdata_rows(ISO_3166):
        countries.append(row)
    countries.row_dimensions[5].hidden = True
    zones = workbook.create_sheet("Zones")
    zones.append(["Country codes", "Coordinates", "TZ", "Comments"])
    for row in tzdata_rows(ZONES):
        zones.append(row)
    zones.column_dimensions["B"].hidden = True
    notes = workbook.create_sheet("Notes")
    notes.append(["Note", HIDDEN_NOTE])
    notes.sheet_state = "hidden"
    workbook.save(path)
    return path


def write_ods(path: Path) -> Path:
    """Sheet "Countries": a header row, one row per country (row 4 hidden), a hidden third
    column, and the million empty rows a spreadsheet pads with; a hidden sheet "Notes"."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    hidden = Style(name="hidden-sheet", family="table")
    hidden.addElement(TableProperties(display="false"))
    document.automaticstyles.addElement(hidden)

    def row(cells: list[str], **attributes) -> TableRow:
        element = TableRow(**attributes)
        for text in cells:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=text))
            element.addElement(cell)
        return element

    countries = Table(name="Countries")
    for attributes in ({}, {}, {"visibility": "collapse"}):
        countries.addElement(TableColumn(**attributes))
    countries.addElement(row(["Code", "Country", "Note"]))
    for number, cells in enumerate(tzdata_rows(ISO_3166), start=2):
        hidden_row = {"visibility": "collapse"} if number == 4 else {}
        countries.addElement(row([*cells, HIDDEN_NOTE], **hidden_row))
    countries.addElement(TableRow(numberrowsrepeated=1_000_000))
    document.spreadsheet.addElement(countries)
    notes = Table(name="Notes", stylename=hidden)
    notes.addElement(row(["Note", HIDDEN_NOTE]))
    document.spreadsheet.addElement(notes)
    document.save(str(path))
    return path


ARTICLE = Path(__file__).resolve().parents[2] / "corpus" / "ukraine-russia-ceasefire-talks.txt"
# A table slide: each row's cells quoted from the article's sentences.
KEY_PLAYERS = [
    ("Party", "Role in the talks"),
    ("Saudi Arabia", "hosting the latest round of peace talks; acted as a key mediator"),
    ("U.S. Secretary of State Marco Rubio", "among the high-profile figures involved"),
    ("France and Germany", "voiced support for Ukraine’s demands for security guarantees"),
]


def write_pptx(path: Path) -> Path:
    """A deck made from the ceasefire article: a title slide; a slide per section (its heading
    the title, its first paragraph's sentences the bullets, its second paragraph the speaker
    notes); a table slide of the key players (slide 3); a hidden text box (slide 4) and a
    hidden slide (slide 8)."""
    from pptx import Presentation
    from pptx.util import Inches

    opening, sections = article_sections()
    deck = Presentation()
    deck.core_properties.title = "Ceasefire talks"
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Ceasefire talks"
    first.placeholders[1].text = opening
    for number, (heading, paragraphs) in enumerate(sections):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        body = slide.placeholders[1].text_frame
        sentences = [paragraphs[0][a:b] for a, b in sentence_spans(paragraphs[0])]
        body.text = sentences[0]
        for sentence in sentences[1:]:
            body.add_paragraph().text = sentence
        if len(paragraphs) > 1:
            slide.notes_slide.notes_text_frame.text = paragraphs[1]
        if number == 1:  # a text box set hidden, on slide 4
            box = slide.shapes.add_textbox(Inches(1), Inches(6), Inches(6), Inches(1))
            box.text_frame.text = HIDDEN_NOTE
            box._element.find(".//{*}cNvPr").set("hidden", "1")
        if number == 0:  # the key players, as slide 3
            table_slide = deck.slides.add_slide(deck.slide_layouts[5])
            table_slide.shapes.title.text = "Key players"
            shape = table_slide.shapes.add_table(
                len(KEY_PLAYERS), 2, Inches(0.5), Inches(1.5), Inches(9), Inches(3)
            )
            for r, row in enumerate(KEY_PLAYERS):
                for c, text in enumerate(row):
                    shape.table.cell(r, c).text = text
    hidden = deck.slides.add_slide(deck.slide_layouts[1])
    hidden.shapes.title.text = "Draft"
    hidden.placeholders[1].text = HIDDEN_NOTE
    hidden._element.set("show", "0")
    deck.save(str(path))
    return path


MULTIDOC = Path(__file__).resolve().parents[2] / "evals" / "corpora" / "multidoc"
PYTHON_EMAIL_TESTS = Path(email_package_file()).parents[1] / "test" / "test_email" / "data"


def article_sections() -> tuple[str, list[tuple[str, list[str]]]]:
    """The ceasefire article's opening line and its sections (heading, paragraphs)."""
    lines = [line for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line]
    sections: list[tuple[str, list[str]]] = []
    for line in lines[1:-1]:
        if not line.endswith("."):
            sections.append((line, []))
        else:
            sections[-1][1].append(line)
    return lines[0], sections


def write_epub(path: Path) -> Path:
    """An e-book of two chapters, Python's secrets and hmac documentation pages (PSF licence),
    as the EPUB 3 container wants them: the mimetype first and stored, a container naming the
    package, the package listing the chapters in reading order."""
    import zipfile

    chapters = ["secrets.html", "hmac.html"]
    manifest = "".join(
        f'<item id="c{n}" href="text/{name}" media-type="application/xhtml+xml"/>'
        for n, name in enumerate(chapters, start=1)
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(1, len(chapters) + 1))
    package = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:identifier id="id">python-crypto</dc:identifier>'
        "<dc:title>Python cryptographic services</dc:title><dc:language>en</dc:language>"
        f"</metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    )
    container = (
        '<?xml version="1.0"?><container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        book.writestr("META-INF/container.xml", container)
        book.writestr("OEBPS/content.opf", package)
        for name in chapters:
            book.writestr(f"OEBPS/text/{name}", (MULTIDOC / name).read_bytes())
    return path


def write_odt(path: Path) -> Path:
    """The ceasefire article as an OpenDocument text (odfpy): its headings, its paragraphs,
    the key players as a table after the first section; and what a word processor would not
    show: a hidden paragraph, a span in a style that is not displayed, a comment."""
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, HiddenParagraph, P, Span

    document = OpenDocumentText()
    invisible = Style(name="invisible", family="text")
    invisible.addElement(TextProperties(display="none"))
    document.automaticstyles.addElement(invisible)
    opening, sections = article_sections()
    document.text.addElement(P(text=opening))
    for number, (heading, paragraphs) in enumerate(sections):
        document.text.addElement(H(outlinelevel=1, text=heading))
        for text in paragraphs:
            paragraph = P(text=text)
            if number == 1:
                paragraph.addElement(Span(stylename=invisible, text=" " + HIDDEN_NOTE))
                comment = Annotation()
                comment.addElement(P(text=HIDDEN_NOTE))
                paragraph.addElement(comment)
            document.text.addElement(paragraph)
        if number == 0:
            table = Table(name="Key players")
            table.addElement(TableColumn(numbercolumnsrepeated=2))
            for cells in KEY_PLAYERS:
                row = TableRow()
                for text in cells:
                    cell = TableCell()
                    cell.addElement(P(text=text))
                    row.addElement(cell)
                table.addElement(row)
            document.text.addElement(table)
    hidden = P(text=HIDDEN_NOTE)
    hidden.addElement(HiddenParagraph(ishidden="true", condition="true"))
    document.text.addElement(hidden)
    document.save(str(path))
    return path


def write_rtf(path: Path) -> Path:
    """The ceasefire article as RTF, as WordPad writes it: a paragraph per \\par, characters
    beyond ASCII as \\u escapes, and a hidden run (\\v) in the second paragraph."""

    def escaped(text: str) -> str:
        out = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
        return "".join(
            c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?"
            for c in out
        )

    opening, sections = article_sections()
    body = [escaped(opening)]
    for heading, paragraphs in sections:
        body.append(escaped(heading))
        body += [escaped(text) for text in paragraphs]
    body[2] += "{\\v  " + HIDDEN_NOTE + "}"
    rtf = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Calibri;}}\\f0\\fs22 " + "\\par\n".join(body)
    path.write_text(rtf + "\\par\n}", encoding="ascii")
    return path


def write_eml(path: Path) -> Path:
    """A mail from the ceasefire article's first section, with tempfile.pdf (Python's tempfile
    documentation printed by Chromium) attached, written with the standard library."""
    from email.message import EmailMessage

    _, sections = article_sections()
    message = EmailMessage()
    message["Subject"] = "Notes from the ceasefire talks"
    message["From"] = "Desk Editor <desk@example.org>"
    message["To"] = "newsroom@example.org"
    message["Date"] = "Tue, 18 Mar 2025 09:30:00 +0000"
    message.set_content("Hello all,\n\n" + "\n\n".join(sections[0][1]) + "\n\nBest,\nDesk\n")
    message.add_attachment(
        (MULTIDOC / "tempfile.pdf").read_bytes(),
        maintype="application",
        subtype="pdf",
        filename="tempfile.pdf",
    )
    message.add_attachment(
        b"\x00\x01", maintype="application", subtype="octet-stream", filename="blob.bin"
    )
    path.write_bytes(bytes(message))
    return path


def write_mbox(path: Path, eml: Path) -> Path:
    """A mailbox of Python's own email test messages (msg_01 to msg_10, PSF licence) and then
    the mail ``write_eml`` wrote (message 11)."""
    import email
    import mailbox

    if not PYTHON_EMAIL_TESTS.is_dir():
        pytest.skip(f"needs Python's email test messages in {PYTHON_EMAIL_TESTS}")
    box = mailbox.mbox(str(path))
    for number in range(1, 11):
        box.add((PYTHON_EMAIL_TESTS / f"msg_{number:02d}.txt").read_bytes())
    box.add(email.message_from_bytes(eml.read_bytes()))
    box.close()
    return path
