"""Files -> paragraphs -> embeddings -> store; idempotent and incremental by content hash.

Every changed file is read first (so an unreadable file stops the ingest before anything is
written), then embedded and written a few thousand windows at a time, so memory stays flat as
the corpus grows. Each file is written whole or not at all (see ``ParagraphStore.replace_file``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.errors import InputPathError
from rag.indexing.bm25 import LexicalIndexes
from rag.indexing.embedder import Embedder
from rag.indexing.records import WindowRecord
from rag.indexing.store import ParagraphStore
from rag.indexing.windows import Window, embedded_text, windows_of
from rag.reading.discovery import find_documents
from rag.reading.options import Reading, ReadingOptions
from rag.reading.readers import READER_VERSION, SUPPORTED_SUFFIXES, read_paragraphs
from rag.text import sentence_spans
from rag.types import FileReport, IngestReport, Paragraph

log = logging.getLogger(__name__)

# Windows embedded and written per step: enough to sort by length (a batch is padded to its
# longest text), few enough that their embeddings stay small in memory.
WINDOWS_PER_STEP = 4096


def file_hash(path: Path, options: ReadingOptions) -> str:
    """The file's content hash, salted with the reader version and the reading settings: an
    index built by an older reader, or with another OCR language, is re-read even though the
    file did not change."""
    digest = hashlib.sha256(f"reader v{READER_VERSION}; {options.fingerprint}\n".encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class FileUpdate:
    """A changed file, read: its paragraphs and every window to embed."""

    source: str
    digest: str
    paragraphs: list[Paragraph]
    windows: list[tuple[Paragraph, Window, str]]  # paragraph, window, the text to embed
    report: FileReport
    modified: float  # the file's modification time (scopes filter on it)


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
    question, from the paragraphs just written (they need not be read back)."""
    written: dict[str, list[Paragraph]] = {}
    with store.writing():
        report = ingest_paths(
            paths, settings, embedder, store, progress=progress, on_written=written.__setitem__
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
    on_written: Callable[[str, list[Paragraph]], None] | None = None,
) -> IngestReport:
    """Make the index mirror the supported files under ``paths``; ``on_written`` hears of
    every file written, with its paragraphs."""
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
    updates: list[FileUpdate] = []
    touched: dict[str, float] = {}  # unchanged files with a new modification time
    unchanged = 0
    for document in files:
        digest = file_hash(document.path, reading)
        modified = document.path.stat().st_mtime
        if indexed.get(document.source) == digest:
            unchanged += 1
            if document.source in indexed_times and indexed_times[document.source] != modified:
                touched[document.source] = modified
            continue
        update = _read(document.path, document.source, digest, embedder, reading, modified)
        if not update.paragraphs:
            log.warning("%s has no text paragraphs; skipped", document.source)
            skipped.append(document.source)
        for line in update.report.skipped:
            log.warning("%s: %s", document.source, line)
        updates.append(update)

    if store.is_outdated():  # every file is re-embedded below; drop the old windows
        store.drop()
    if any(update.paragraphs for update in updates):
        store.ensure_collection(embedder.dimension)

    added = updated = removed = 0
    for update, records in _embedded(updates, embedder, progress):
        store.replace_file(update.source, records, update.digest, update.report, update.modified)
        if on_written is not None and records:
            on_written(update.source, update.paragraphs)
        if not records:
            removed += update.source in indexed
        elif update.source in indexed:
            updated += 1
        else:
            added += 1
    store.set_modification_times(touched)
    for source in sorted(set(indexed) - {d.source for d in files}):
        store.remove_file(source)
        removed += 1
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
        files=[update.report for update in updates],
    )


def _read(
    path: Path,
    source: str,
    digest: str,
    embedder: Embedder,
    options: ReadingOptions,
    modified: float,
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
    windows = [
        (paragraph, window, embedded_text(window, paragraph.context))
        for paragraph in paragraphs
        for window in windows_of(paragraph, embedder.settings.window_sentences)
    ]
    return FileUpdate(source, digest, paragraphs, windows, report, modified)


def _steps(updates: list[FileUpdate]) -> Iterator[list[FileUpdate]]:
    """Consecutive files, about ``WINDOWS_PER_STEP`` windows at a time."""
    step: list[FileUpdate] = []
    size = 0
    for update in updates:
        step.append(update)
        size += len(update.windows)
        if size >= WINDOWS_PER_STEP:
            yield step
            step, size = [], 0
    if step:
        yield step


def _embedded(
    updates: list[FileUpdate], embedder: Embedder, progress: bool
) -> Iterator[tuple[FileUpdate, list[WindowRecord]]]:
    """Each file with its embedded windows, a step of files at a time, with a progress bar."""
    from tqdm import tqdm

    total = sum(len(update.windows) for update in updates)
    paragraphs = files = 0
    batch = embedder.settings.embed_batch_size
    with tqdm(total=total, desc="embedding", unit="window", disable=not progress) as bar:
        for step in _steps(updates):
            jobs = [(update, *window) for update in step for window in update.windows]
            # A batch is padded to its longest text: texts of similar length embed faster.
            jobs.sort(key=lambda job: len(job[3]))
            records: dict[str, list[WindowRecord]] = {update.source: [] for update in step}
            for start in range(0, len(jobs), batch):
                chunk = jobs[start : start + batch]
                vectors = embedder.embed_texts([text for *_, text in chunk])
                for (update, paragraph, window, _), vector in zip(chunk, vectors, strict=True):
                    records[update.source].append(
                        WindowRecord(paragraph, window.index, vector, update.digest)
                    )
                bar.update(len(chunk))
            for update in step:
                file_records = records[update.source]
                file_records.sort(key=lambda r: (r.paragraph.paragraph, r.window))
                files += 1
                paragraphs += len(update.paragraphs)
                bar.set_postfix_str(f"files {files}/{len(updates)}, paragraphs {paragraphs:,}")
                yield update, file_records
