"""Files added to the corpus directory (a web chat's uploads): names made safe, types and sizes
checked, and the corpus put back as it was when re-indexing with them fails."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import RagError
from rag.reading.readers import SUPPORTED_SUFFIXES
from rag.types import IngestReport

SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class FilesAdded:
    """What adding files did: the ingest that followed (None when no file was accepted) and a
    line per file left out, saying why."""

    report: IngestReport | None
    rejected: list[str] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name that cannot leave the corpus directory or confuse a shell."""
    return SAFE_NAME.sub("_", Path(name).name).strip(" .") or "upload"


def add_to_corpus(
    paths: Iterable[str | Path],
    corpus_dir: Path,
    max_mb: int,
    reindex: Callable[[], IngestReport],
) -> FilesAdded:
    """Copy the supported files of ``paths`` (at most ``max_mb`` each) into ``corpus_dir``
    and ``reindex``. When that raises a RagError, every file copied is taken out again (a file
    it replaced is restored) and the error is raised: nothing changed."""
    accepted, rejected = [], []
    for path in map(Path, paths):
        name = safe_name(path.name)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            rejected.append(f"{path.name}: not a supported type ({' '.join(SUPPORTED_SUFFIXES)})")
        elif path.stat().st_size > max_mb * 2**20:
            rejected.append(f"{path.name}: larger than {max_mb} MB")
        else:
            accepted.append((path, corpus_dir / name))
    if not accepted:
        return FilesAdded(None, rejected)
    with tempfile.TemporaryDirectory() as backup_dir:
        backups = {}
        for source, target in accepted:
            if target.exists():
                backups[target] = Path(backup_dir) / target.name
                shutil.copy2(target, backups[target])
            shutil.copyfile(source, target)
        try:
            return FilesAdded(reindex(), rejected)
        except RagError:
            for _, target in accepted:
                if target in backups:
                    shutil.copy2(backups[target], target)
                else:
                    target.unlink(missing_ok=True)
            raise
