"""The writer lock of an embedded index: one process writes at a time, a second is refused."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import IndexBusyError

# Held by the process writing an embedded index (released by the OS if it is killed).
WRITE_LOCK = ".write.lock"


@contextmanager
def write_lock(path: Path, location: str) -> Iterator[None]:
    """Hold ``path`` locked while the block runs; IndexBusyError at once, naming the holder,
    when another process holds it (``location`` names the index in that message)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexBusyError(
                f"the index at {location} is being written by {holder}; "
                "try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
