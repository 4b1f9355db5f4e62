"""Files -> paragraphs -> embeddings -> store; idempotent and incremental by content hash.

All files are read and embedded before the store changes, so a bad file leaves it as it was.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from pathlib import Path

from rag.config import Settings
from rag.documents import SUPPORTED_SUFFIXES, find_documents, read_paragraphs
from rag.embeddings import Embedder
from rag.errors import InputPathError
from rag.store import ParagraphStore, WindowRecord
from rag.types import IngestReport, Paragraph

log = logging.getLogger(__name__)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingest_paths(
    paths: Iterable[str | Path],
    settings: Settings,
    embedder: Embedder,
    store: ParagraphStore,
    progress: bool = False,
) -> IngestReport:
    """Make the index mirror the supported files under ``paths``."""
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

    indexed = store.file_hashes()
    changed: dict[str, tuple[str, list[Paragraph]]] = {}
    unchanged = 0
    for document in files:
        digest = file_hash(document.path)
        if indexed.get(document.source) == digest:
            unchanged += 1
            continue
        paragraphs = read_paragraphs(document.path, document.source)
        if not paragraphs:
            log.warning("%s has no text paragraphs; skipped", document.source)
            skipped.append(document.source)
        changed[document.source] = (digest, paragraphs)

    records = _embed(changed, embedder, progress)
    if store.is_outdated():  # every file was re-embedded above; drop the old windows
        store.drop()
    if any(records.values()):
        store.ensure_collection(embedder.dimension)

    present = {d.source for d in files}
    added = updated = removed = 0
    for source, file_records in records.items():
        store.replace_file(source, file_records)
        if not file_records:
            removed += source in indexed
        elif source in indexed:
            updated += 1
        else:
            added += 1
    for source in sorted(set(indexed) - present):
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
    )


def _embed(
    changed: dict[str, tuple[str, list[Paragraph]]], embedder: Embedder, progress: bool
) -> dict[str, list[WindowRecord]]:
    """Embed every window of every changed file, in batches, with a progress bar."""
    from tqdm import tqdm

    jobs = [
        (source, digest, paragraph, window, embedder.embedded_text(window, paragraph.heading))
        for source, (digest, paragraphs) in changed.items()
        for paragraph in paragraphs
        for window in embedder.windows(paragraph)
    ]
    # A batch is padded to its longest text: batching texts of similar length (a paragraph's
    # sentences apart from the paragraph itself) embeds several times faster.
    jobs.sort(key=lambda job: len(job[4]))
    records: dict[str, list[WindowRecord]] = {source: [] for source in changed}
    batch = embedder.settings.embed_batch_size
    with tqdm(total=len(jobs), desc="embedding", unit="window", disable=not progress) as bar:
        for start in range(0, len(jobs), batch):
            chunk = jobs[start : start + batch]
            vectors = embedder.embed_texts([text for *_, text in chunk])
            for (source, digest, paragraph, window, _), vector in zip(chunk, vectors, strict=True):
                records[source].append(WindowRecord(paragraph, window.index, vector, digest))
            bar.update(len(chunk))
    for file_records in records.values():
        file_records.sort(key=lambda r: (r.paragraph.paragraph, r.window))
    return records
