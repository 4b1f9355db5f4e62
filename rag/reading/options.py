"""What a reader is told (the reading settings) and what it tells back besides its blocks (how
many tables it found, which pages it recognised by OCR, what it left out and why)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReadingOptions:
    """The settings readers follow (rag.config.Settings carries them: ocr_language,
    table_max_rows, threads)."""

    ocr_language: str = "eng"  # Tesseract's language codes, "+"-joined: "eng", "deu+eng"
    table_max_rows: int = 100_000  # rows read from one table or sheet; the rest left out
    threads: int = 2  # OCR's threads
    tessdata: str | None = None  # where Tesseract's language data is (None: the usual places)
    progress: bool = False  # show a progress bar for slow reads (OCR), counting pages

    @property
    def fingerprint(self) -> str:
        """The options that change what is read from an unchanged file (mixed into its hash)."""
        return f"ocr {self.ocr_language}; rows {self.table_max_rows}"


@dataclass
class ReadingNotes:
    """Filled in while one file is read: the report's line for it."""

    tables: int = 0
    ocr_pages: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: what was left out, why
    # Something was left out that a later read may get (OCR, once Tesseract is installed):
    # the next ingest reads the file again though it did not change.
    incomplete: bool = False

    def skip(self, line: str, retry: bool = False) -> None:
        self.skipped.append(line)
        self.incomplete = self.incomplete or retry


@dataclass
class Reading:
    """One file's read: the options it follows and the notes it leaves."""

    options: ReadingOptions = field(default_factory=ReadingOptions)
    notes: ReadingNotes = field(default_factory=ReadingNotes)
