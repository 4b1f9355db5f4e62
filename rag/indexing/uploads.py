"""Files added to the corpus directory (a web chat's uploads): names made safe, types and sizes
checked, and the corpus put back as it was when re-indexing with them fails."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from rag.errors import DocumentNotFoundError, RagError
from rag.reading.readers import SUPPORTED_SUFFIXES
from rag.types import FilesAdded, IngestReport

SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


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


def remove_from_corpus(
    sources: Iterable[str], corpus_dir: Path, reindex: Callable[[], IngestReport]
) -> IngestReport:
    """Take the documents ``sources`` (paths relative to ``corpus_dir``, as the index names
    them) out of ``corpus_dir`` and ``reindex``, which removes them from the index. A name
    outside the corpus directory or not in it is a DocumentNotFoundError and nothing changes;
    when re-indexing raises a RagError, the files are put back and the error is raised."""
    root = corpus_dir.resolve()
    targets = []
    for source in sources:
        target = (root / source).resolve()
        if not target.is_relative_to(root) or target == root or not target.is_file():
            raise DocumentNotFoundError(f"no document {source!r} in {corpus_dir}")
        targets.append(target)
    if not targets:
        raise DocumentNotFoundError("no document named to remove")
    with tempfile.TemporaryDirectory() as backup_dir:
        backups = []
        for number, target in enumerate(dict.fromkeys(targets)):
            backup = Path(backup_dir) / f"{number}-{target.name}"
            shutil.move(target, backup)
            backups.append((backup, target))
        try:
            return reindex()
        except RagError:
            for backup, target in backups:
                shutil.move(backup, target)
            raise
