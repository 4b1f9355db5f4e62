"""Which files under the given paths are documents to read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputPathError
from rag.reading.readers import SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class DocumentFile:
    path: Path
    source: str  # relative to its root, forward slashes


def find_documents(roots: Iterable[str | Path]) -> tuple[list[DocumentFile], list[str]]:
    """Supported files under the given files/directories, and the names of skipped files."""
    found: dict[str, DocumentFile] = {}
    skipped: list[str] = []
    for root in map(Path, roots):
        if not root.exists():
            raise InputPathError(f"no such file or directory: {root}")
        if root.is_file():
            candidates = [(root, root.name)]
        else:
            candidates = [
                (p, p.relative_to(root).as_posix())
                for p in sorted(root.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        for path, source in candidates:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found[source] = DocumentFile(path, source)
            elif path.name.lower() not in ("readme", "license"):
                skipped.append(source)
    return sorted(found.values(), key=lambda d: d.source), skipped
