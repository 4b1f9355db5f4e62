"""Files -> paragraphs -> embeddings -> store; idempotent and incremental by content hash.

Two passes. The first reads every changed file, so that an unreadable file stops the ingest
before anything is written, and spools what it read to a temporary file instead of keeping it.
The second streams the spool back a few thousand windows at a time, embeds them and writes each
such group of files with a few Chroma calls, so memory stays flat as the corpus grows and small
files cost little more than their windows. Each group of files is written whole or not at all
(see ``ParagraphStore.replace_files``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.errors import InputPathError
from rag.indexing.bm25 import FileTokens, LexicalIndexes
from rag.indexing.embedder import Embedder
from rag.indexing.records import FileRecords, WindowRecord
from rag.indexing.store import ParagraphStore
from rag.indexing.windows import embedded_text, windows_of
from rag.reading.discovery import find_documents
from rag.reading.options import Reading, ReadingOptions
from rag.reading.readers import READER_VERSION, SUPPORTED_SUFFIXES, read_paragraphs
from rag.text import sentence_spans
from rag.types import FileReport, IngestReport, Paragraph

log = logging.getLogger(__name__)

# Windows embedded and written per step: enough to sort by length (a batch is padded to its
# longest text) and to write many small files in a few Chroma calls, few enough that their
# embeddings stay small in memory.
WINDOWS_PER_STEP = 4096
# Windows handed to the embedder at once within a step (the progress bar moves this often).
WINDOWS_PER_CALL = 512


def file_hash(path: Path, options: ReadingOptions) -> str:
    """The file's content hash, salted with the reader version and the reading settings: an
    index built by an older reader, or with another OCR language, is re-read even though the
    file did not change."""
    digest = hashlib.sha256(f"reader v{READER_VERSION}; {options.fingerprint}\n".encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class FileUpdate:
    """A changed file, read: its paragraphs (sentences split) and what was read from it."""

    source: str
    digest: str
    paragraphs: list[Paragraph]
    report: FileReport
    modified: float  # the file's modification time (scopes filter on it)

    def with_records(self, records: list[WindowRecord]) -> FileRecords:
        """What the store writes of this file: its embedded windows and its manifest entry."""
        return FileRecords(self.source, records, self.digest, self.report, self.modified)


# A window to embed: its paragraph, window number and the text embedded.
WindowJob = tuple[Paragraph, int, str]


class Spool:
    """Read files kept on disk between the two passes rather than in memory."""

    def __init__(self):
        self._file = tempfile.TemporaryFile(prefix="rag-ingest-")
        self.count = 0

    def put(self, update: FileUpdate) -> None:
        pickle.dump(update, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[FileUpdate]:
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


def ingest(
    paths: Iterable[str | Path],
    settings: Settings,
    embedder: Embedder,
    store: ParagraphStore,
    lexical: LexicalIndexes,
    progress: bool = False,
) -> IngestReport:
    """Make the index mirror ``paths`` while holding the writer lock (a second writer is
    refused, not raced), then bring the BM25 arm up to date now rather than on the next
    question, from the tokens of the files just written (they need not be read back)."""
    written: dict[str, FileTokens] = {}

    def tokenise(update: FileUpdate) -> None:
        written[update.source] = FileTokens.of(
            update.digest, update.paragraphs, settings.window_sentences
        )

    with store.writing():
        report = ingest_paths(
            paths,
            settings,
            embedder,
            store,
            progress=progress,
            on_written=tokenise if settings.retrieval != "dense" else None,
        )
        if settings.retrieval != "dense":
            lexical.current(known=written)
    return report


def ingest_paths(
    paths: Iterable[str | Path],
    settings: Settings,
    embedder: Embedder,
    store: ParagraphStore,
    progress: bool = False,
    on_written: Callable[[FileUpdate], None] | None = None,
) -> IngestReport:
    """Make the index mirror the supported files under ``paths``; ``on_written`` hears of
    every file written that has paragraphs."""
    started = time.perf_counter()
    paths = list(paths)
    files, skipped = find_documents(paths)
    if skipped:
        log.warning(
            "skipped %d file(s) of unsupported type (supported: %s): %s",
            len(skipped),
            " ".join(SUPPORTED_SUFFIXES),
            ", ".join(skipped),
        )
    if not files:
        raise InputPathError(
            f"no supported documents ({' '.join(SUPPORTED_SUFFIXES)}) "
            f"in {', '.join(map(str, paths))}"
        )

    reading = dataclasses.replace(settings.reading, progress=progress)
    indexed, indexed_times = store.file_hashes_and_times()
    touched: dict[str, float] = {}  # unchanged files with a new modification time
    unchanged = windows = 0
    reports: list[FileReport] = []
    with Spool() as spool:
        for document in files:
            digest = file_hash(document.path, reading)
            modified = document.path.stat().st_mtime
            if indexed.get(document.source) == digest:
                unchanged += 1
                if indexed_times.get(document.source, modified) != modified:
                    touched[document.source] = modified
                continue
            update = _read(document.path, document.source, digest, reading, modified)
            if not update.paragraphs:
                log.warning("%s has no text paragraphs; skipped", document.source)
                skipped.append(document.source)
            for line in update.report.skipped:
                log.warning("%s: %s", document.source, line)
            windows += len(_windows(update, settings))
            reports.append(update.report)
            spool.put(update)

        if store.is_outdated():  # every file is re-embedded below; drop the old windows
            store.drop()
        if any(report.paragraphs for report in reports):
            store.ensure_collection(embedder.dimension)

        added = updated = removed = 0
        for step in _embedded(spool, windows, embedder, settings, progress):
            store.replace_files([records for _, records in step])
            for update, records in step:
                if on_written is not None and records.records:
                    on_written(update)
                if not records.records:
                    removed += update.source in indexed
                elif update.source in indexed:
                    updated += 1
                else:
                    added += 1
    store.set_modification_times(touched)
    gone = sorted(set(indexed) - {d.source for d in files})
    store.remove_files(gone)
    removed += len(gone)
    if added or updated or removed or store.revision() is None:
        store.mark_revision()

    return IngestReport(
        added=added,
        updated=updated,
        removed=removed,
        unchanged=unchanged,
        paragraphs=sum(store.paragraph_counts().values()),
        seconds=round(time.perf_counter() - started, 3),
        skipped=skipped,
        files=reports,
    )


def _read(
    path: Path, source: str, digest: str, options: ReadingOptions, modified: float
) -> FileUpdate:
    """Read one file into paragraphs, split once into sentences (the cut is stored), and
    what was read from it."""
    reading = Reading(options)
    paragraphs = [
        p if p.code else dataclasses.replace(p, sentences=sentence_spans(p.text))
        for p in read_paragraphs(path, source, reading)
    ]
    notes = reading.notes
    if notes.incomplete:  # a changed hash: the next ingest reads it again
        digest = f"incomplete {digest}"
    report = FileReport(
        source, len(paragraphs), notes.tables, tuple(notes.ocr_pages), tuple(notes.skipped)
    )
    return FileUpdate(source, digest, paragraphs, report, modified)


def _windows(update: FileUpdate, settings: Settings) -> list[WindowJob]:
    """Every window of the file to embed."""
    return [
        (paragraph, window.index, embedded_text(window, paragraph.context))
        for paragraph in update.paragraphs
        for window in windows_of(paragraph, settings.window_sentences)
    ]


def _steps(
    updates: Iterable[FileUpdate], settings: Settings
) -> Iterator[list[tuple[FileUpdate, list[WindowJob]]]]:
    """Consecutive files with their windows, about ``WINDOWS_PER_STEP`` windows at a time."""
    step: list[tuple[FileUpdate, list[WindowJob]]] = []
    size = 0
    for update in updates:
        windows = _windows(update, settings)
        step.append((update, windows))
        size += len(windows)
        if size >= WINDOWS_PER_STEP:
            yield step
            step, size = [], 0
    if step:
        yield step


def _embedded(
    updates: Iterable[FileUpdate],
    total: int,
    embedder: Embedder,
    settings: Settings,
    progress: bool,
) -> Iterator[list[tuple[FileUpdate, FileRecords]]]:
    """A step of files at a time, each file with its embedded windows, with a progress bar."""
    from tqdm import tqdm

    paragraphs = files = 0
    with tqdm(total=total, desc="embedding", unit="window", disable=not progress) as bar:
        for step in _steps(updates, settings):
            jobs = [(update, *window) for update, windows in step for window in windows]
            # A batch is padded to its longest text: texts of similar length embed faster.
            jobs.sort(key=lambda job: len(job[3]))
            records: dict[str, list[WindowRecord]] = {update.source: [] for update, _ in step}
            for start in range(0, len(jobs), WINDOWS_PER_CALL):
                chunk = jobs[start : start + WINDOWS_PER_CALL]
                vectors = embedder.embed_texts([text for *_, text in chunk])
                for (update, paragraph, window, _), vector in zip(chunk, vectors, strict=True):
                    records[update.source].append(
                        WindowRecord(paragraph, window, vector, update.digest)
                    )
                bar.update(len(chunk))
            written = []
            for update, _ in step:
                file_records = records[update.source]
                file_records.sort(key=lambda r: (r.paragraph.paragraph, r.window))
                written.append((update, update.with_records(file_records)))
                files += 1
                paragraphs += len(update.paragraphs)
            bar.set_postfix_str(f"files {files}, paragraphs {paragraphs:,}")
            yield written
