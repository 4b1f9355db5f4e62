"""Compare HTML main-content extractors and PDF readers on real pages (issue 11).

HTML: trafilatura (what rag uses), readability-lxml, and a plain BeautifulSoup walk of block
tags (what rag did before), on a Sphinx page (Python 3.11 docs, Debian python3.11-doc), a Texinfo
page (libffi), a hand-written page (base-passwd), an mdBook page (rustdoc, where installed) and a
news-shaped page (nav, cookie banner, article, related links, footer) around the bundled
article. PDF: pypdf + the plain-text paragraph splitter against rag's pypdfium2 layout reader, on
Sphinx pages printed by Chromium.

    .venv/bin/python bench/compare_extractors.py [--docs DIR]

Per page and extractor: paragraphs, chrome (navigation/footer/banner lines that got in), words
kept of the page's main text, <pre> blocks that came back byte-identical, milliseconds.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROME = re.compile(
    r"^(index|modules \||next \||previous \||python »|navigation|table of contents|home|go|"
    r"next:|previous:|up:|contents|cookies?|accept all|.*all rights reserved.*|theme|"
    r"this page|report a bug|show source|quick search|related|world|sport|business).*",
    re.IGNORECASE,
)


def pydoc_dir(work: Path) -> Path:
    """Unpack Debian's python3.11-doc (fetched with apt-get download) into ``work``."""
    html = work / "usr/share/doc/python3.11/html"
    if not html.exists():
        subprocess.run(["apt-get", "download", "python3.11-doc"], cwd=work, check=True)
        deb = next(work.glob("python3.11-doc_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(work)], check=True)
    return html


def news_page(work: Path) -> Path:
    article = (ROOT / "corpus" / "ukraine-russia-ceasefire-talks.txt").read_text().splitlines()
    body = "".join(
        f"<h2>{line}</h2>" if len(line) < 80 and not line.endswith(".") else f"<p>{line}</p>"
        for line in article
        if line.strip()
    )
    page = work / "news.html"
    page.write_text(
        "<html><head><title>Ceasefire talks | World news</title></head><body>"
        '<header><a href="/">Home</a> <nav><a>World</a> <a>Business</a> <a>Sport</a></nav></header>'
        '<div class="cookie-banner">We use cookies. <button>Accept all</button></div>'
        f"<main><article><h1>Ceasefire talks: the world awaits peace</h1>{body}</article>"
        "<aside><h3>Related</h3><ul><li><a>Markets rally</a></li><li><a>Election day</a></li>"
        "</ul></aside></main><footer>© 2026 Example News. All rights reserved.</footer>"
        "</body></html>"
    )
    return page


def trafilatura_blocks(markup: str) -> list[str]:
    from rag.reading.html import blocks_from_html

    return [b.text for b in blocks_from_html(markup) if not b.is_heading]


def readability_blocks(markup: str) -> list[str]:
    import lxml.html
    from readability import Document

    summary = lxml.html.fromstring(Document(markup).summary(html_partial=True))
    return _block_texts(summary)


def soup_blocks(markup: str) -> list[str]:
    """The reader rag had before: every innermost block tag, scripts/nav/footer removed."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer", "head"]):
        tag.decompose()
    wanted = ["p", "li", "pre", "blockquote", "td", "dd", "dt"]
    return [
        " ".join(tag.get_text(" ").split())
        for tag in soup.find_all(wanted)
        if not tag.find(wanted) and tag.get_text().strip()
    ]


def _block_texts(element) -> list[str]:
    tags = {"p", "li", "pre", "blockquote", "td", "dd", "dt"}
    texts = []
    for node in element.iter():
        if node.tag in tags and not any(
            child.tag in tags for child in node.iter() if child is not node
        ):
            text = " ".join(node.text_content().split())
            if text:
                texts.append(text if node.tag != "pre" else node.text_content().strip("\n"))
    return texts


def main_words(markup: str) -> int:
    import lxml.html

    tree = lxml.html.fromstring(markup)
    main = tree.xpath("//*[@role='main']|//article|//main") or [tree.body]
    return len(main[0].text_content().split())


def pre_blocks(markup: str) -> list[str]:
    import lxml.html

    return [pre.text_content().strip("\n") for pre in lxml.html.fromstring(markup).iter("pre")]


def compare_html(pages: list[Path]) -> None:
    extractors = {
        "trafilatura (rag)": trafilatura_blocks,
        "readability-lxml": readability_blocks,
        "bs4 block walk (before)": soup_blocks,
    }
    print("| page | extractor | paragraphs | chrome lines | words kept / main | exact <pre> | ms |")
    print("|---|---|---|---|---|---|---|")
    for page in pages:
        markup = page.read_text(encoding="utf-8", errors="replace")
        words, pres = main_words(markup), pre_blocks(markup)
        for name, extract in extractors.items():
            started = time.perf_counter()
            texts = extract(markup)
            ms = (time.perf_counter() - started) * 1000
            chrome = sum(bool(CHROME.fullmatch(t.strip())) for t in texts)
            kept = sum(len(t.split()) for t in texts)
            exact = sum(p in texts for p in pres)
            print(
                f"| {page.name} | {name} | {len(texts)} | {chrome} | {kept}/{words} "
                f"| {exact}/{len(pres)} | {ms:.0f} |"
            )


def compare_pdf(pages: list[Path], work: Path) -> None:
    from pypdf import PdfReader

    from rag.reading.plain import blocks_from_text
    from rag.reading.readers import read_paragraphs

    print("\n| PDF | reader | paragraphs | running-header lines | ms |")
    print("|---|---|---|---|---|")
    for page in pages:
        pdf = work / f"{page.stem}.pdf"
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        texts = [
            b.text
            for text in (p.extract_text() or "" for p in PdfReader(str(pdf)).pages)
            for b in blocks_from_text(text)
            if not b.is_heading
        ]
        ms = (time.perf_counter() - started) * 1000
        header = sum("file://" in t or "documentation" in t.lower() and "PM" in t for t in texts)
        print(f"| {pdf.name} | pypdf + text splitter | {len(texts)} | {header} | {ms:.0f} |")
        started = time.perf_counter()
        texts = [p.text for p in read_paragraphs(pdf, pdf.name)]
        ms = (time.perf_counter() - started) * 1000
        header = sum("file://" in t or "documentation" in t.lower() and "PM" in t for t in texts)
        print(f"| {pdf.name} | pypdfium2 layout (rag) | {len(texts)} | {header} | {ms:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path(tempfile.gettempdir()) / "rag-pydoc")
    args = parser.parse_args()
    args.docs.mkdir(parents=True, exist_ok=True)
    library = pydoc_dir(args.docs) / "library"
    pages = [library / "json.html", library / "secrets.html", library / "os.path.html"]
    others = [
        Path("/usr/share/doc/libffi8/html/The-Basics.html"),
        Path("/usr/share/doc/base-passwd/users-and-groups.html"),
    ]
    pages += [p for p in others if p.exists()]
    pages.append(news_page(args.docs))
    compare_html(pages)
    compare_pdf([library / "json.html", library / "secrets.html"], args.docs)


if __name__ == "__main__":
    main()
