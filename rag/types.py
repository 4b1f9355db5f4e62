"""Typed records that cross module boundaries and the public API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

# Between the headings of a paragraph's heading path ("Page title › Section › Subsection").
HEADING_PATH_SEPARATOR = " › "


def context_line(title: str | None, heading: str | None) -> str | None:
    """The document title and the heading path as one line, the title once:
    ``Apache License › 4. Redistribution`` (a heading path that starts with the title is
    already whole)."""
    if not title:
        return heading
    if not heading:
        return title
    if heading == title or heading.startswith(title + HEADING_PATH_SEPARATOR):
        return heading
    return f"{title}{HEADING_PATH_SEPARATOR}{heading}"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a document, as read from its file (before embedding)."""

    source: str  # path relative to the ingested root, with forward slashes
    paragraph: int  # 1-based, headings not counted
    heading: str | None
    lines: tuple[int, int] | None  # first and last line in the file (None for .docx)
    text: str
    page: int | None = None  # 1-based page for PDFs
    code: bool = False  # a code block: text kept exactly, shown as code, never paraphrased
    # (start, end) of each sentence in ``text``, once split (stored, so never split twice)
    sentences: tuple[tuple[int, int], ...] | None = None
    title: str | None = None  # the document's title (see rag.reading.paragraphs.document_title)
    # Its document holds instructions addressed to an AI (rag.reading.injection): never evidence.
    untrusted: bool = False
    # Where it is beyond page and lines, as a citation says it: "sheet Ubuntu, row 5",
    # "slide 3", "OCR" (its page's text was recognised from an image).
    location: str | None = None

    @property
    def context(self) -> str | None:
        """Title and heading path (``Title › Section``): embedded and indexed with the text."""
        return context_line(self.title, self.heading)


@dataclass(frozen=True)
class Passage:
    """A retrieved paragraph and why it was retrieved.

    Passages come best first in the retriever's order; ``score`` is always the cosine
    similarity of the question to the paragraph's best embedding window (what refusal
    thresholds read), ``lexical_score`` its BM25 score (paragraph + best sentence) where the
    BM25 arm ran, and ``fused_score`` the 0..1 hybrid score it was ranked by.
    """

    source: str
    paragraph: int
    heading: str | None
    lines: tuple[int, int] | None
    text: str
    score: float
    page: int | None = None
    lexical_score: float | None = None
    fused_score: float | None = None
    code: bool = False  # a code block (see Paragraph.code)
    title: str | None = None  # the document's title
    untrusted: bool = False  # see Paragraph.untrusted: shown, flagged, never used as evidence
    location: str | None = None  # see Paragraph.location
    # (start, end) of each sentence in ``text``, as cut at ingest (None: not stored)
    sentences: tuple[tuple[int, int], ...] | None = None

    @classmethod
    def of(cls, paragraph: Paragraph, score: float = 0.0) -> Passage:
        p = paragraph
        return cls(
            p.source,
            p.paragraph,
            p.heading,
            p.lines,
            p.text,
            score,
            p.page,
            code=p.code,
            title=p.title,
            untrusted=p.untrusted,
            location=p.location,
            sentences=p.sentences,
        )

    @property
    def sentence_texts(self) -> list[str]:
        """The paragraph's sentences: cut where ingest cut them (answering then needs no
        sentence splitter, a second of a cold start), else split now."""
        if self.sentences is None:
            from rag.text import split_sentences

            return split_sentences(self.text)
        return [self.text[start:end] for start, end in self.sentences]

    @property
    def context(self) -> str | None:
        """Title and heading path, e.g. ``secrets — … › Generating tokens``."""
        return context_line(self.title, self.heading)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        """Human-readable location, e.g. ``article.txt ¶2 (lines 3)``, ``scan.pdf ¶4 (page 2,
        OCR)``, ``releases.xlsx ¶7 (sheet Ubuntu, row 5)``."""
        where = f"{self.source} ¶{self.paragraph}"
        details = []
        if self.page is not None:
            details.append(f"page {self.page}")
        if self.location:
            details.append(self.location)
        if self.lines is not None:
            first, last = self.lines
            details.append(f"line {first}" if first == last else f"lines {first}-{last}")
        return f"{where} ({', '.join(details)})" if details else where


@dataclass(frozen=True)
class Citation(Passage):
    """A passage that an answer refers to with a ``[n]`` marker; ``supported``: the sentences
    of its paragraph that the answer's claims rest on (what a source card highlights)."""

    supported: tuple[str, ...] = ()

    @classmethod
    def of(cls, passage: Passage) -> Citation:  # type: ignore[override]
        return cls(**asdict(passage))


@dataclass(frozen=True)
class Answer:
    """An answer with ``[n]`` markers; marker ``[n]`` refers to ``citations[n-1]``."""

    question: str
    text: str
    citations: list[Citation]
    refused: bool
    passages: list[Passage]
    query: str = ""  # what was actually retrieved with (a follow-up made standalone)
    generator: str = ""
    seconds: float = 0.0  # total, from the question to the final answer
    retrieval_seconds: float = 0.0
    first_token_seconds: float | None = None  # LLM generators: question to first text

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Answer:
        """The inverse of ``to_dict`` (e.g. an answer received as JSON)."""

        def passage(kind, item: dict):
            item = dict(item)
            for key in ("lines", "supported"):
                if item.get(key) is not None:
                    item[key] = tuple(item[key])
            if item.get("sentences") is not None:
                item["sentences"] = tuple(tuple(span) for span in item["sentences"])
            return kind(**{k: v for k, v in item.items() if k in _FIELDS[kind]})

        values = dict(data)
        values["citations"] = [passage(Citation, c) for c in data.get("citations", [])]
        values["passages"] = [passage(Passage, p) for p in data.get("passages", [])]
        return cls(**{k: v for k, v in values.items() if k in _FIELDS[cls]})


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved paragraph and how well it answers the question."""

    text: str
    passage: Passage
    position: int  # sentence number inside its paragraph
    score: float


@dataclass(frozen=True)
class Claim:
    """A piece of answer text and the passage that supports it (``sentence``: the passage's
    sentence it rests on, when the generator knows it: a quote is that sentence)."""

    text: str
    passage: Passage
    sentence: str | None = None


@dataclass(frozen=True)
class Turn:
    """One earlier turn of a conversation as follow-ups see it: the question as retrieved
    with (references already resolved), the question as typed, and the answer (empty when
    refused: a refusal is never context)."""

    query: str
    question: str
    answer: str

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        return cls(
            answer.query or answer.question, answer.question, "" if answer.refused else answer.text
        )


@dataclass(frozen=True)
class Waiting:
    """Streamed before an answer while it waits for the model: ``ahead`` questions go first,
    for about ``expected_seconds`` (from the latest answers' lengths; 0 when unknown)."""

    ahead: int
    expected_seconds: float = 0.0


@dataclass(frozen=True)
class FileReport:
    """What was read from one file: its paragraphs, the tables found, the pages recognised by
    OCR, and what was left out, one line each with the reason ("page 4: no Tesseract")."""

    source: str
    paragraphs: int
    tables: int = 0
    ocr_pages: tuple[int, ...] = ()
    skipped: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """One line for people: ``scan.pdf: 12 paragraphs, 2 pages OCR'd (3, 4); left out:
        page 5: no Tesseract``."""
        if not self.paragraphs:
            parts = ["no text found"]
        else:
            parts = [f"{self.paragraphs:,} paragraph{'s' * (self.paragraphs != 1)}"]
        if self.tables:
            parts.append(f"{self.tables} table{'s' * (self.tables != 1)}")
        if self.ocr_pages:
            pages = ", ".join(map(str, self.ocr_pages))
            parts.append(
                f"{len(self.ocr_pages)} page{'s' * (len(self.ocr_pages) != 1)} OCR'd ({pages})"
            )
        line = f"{self.source}: {', '.join(parts)}"
        return line + (f"; left out: {'; '.join(self.skipped)}" if self.skipped else "")

    @classmethod
    def from_dict(cls, data: dict) -> FileReport:
        return cls(
            data["source"],
            int(data["paragraphs"]),
            int(data.get("tables", 0)),
            tuple(data.get("ocr_pages", ())),
            tuple(data.get("skipped", ())),
        )


@dataclass(frozen=True)
class IngestReport:
    """What an ingest run changed: counts of files and the paragraphs now in the index;
    ``files``: what was read from each file read in this run."""

    added: int
    updated: int
    removed: int
    unchanged: int
    paragraphs: int
    seconds: float
    skipped: list[str] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> IngestReport:
        """The inverse of ``to_dict`` (e.g. a report received as JSON)."""
        values = {k: v for k, v in data.items() if k in _REPORT_FIELDS}
        values["files"] = [FileReport.from_dict(f) for f in data.get("files", [])]
        return cls(**values)


@dataclass(frozen=True)
class FilesAdded:
    """What adding files did: the ingest that followed (None when no file was accepted) and a
    line per file left out, saying why."""

    report: IngestReport | None
    rejected: list[str] = field(default_factory=list)


_FIELDS = {kind: {f.name for f in fields(kind)} for kind in (Passage, Citation, Answer)}
_REPORT_FIELDS = {f.name for f in fields(IngestReport)}
