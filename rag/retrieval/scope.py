"""Which documents of a collection a question may be answered from.

A Scope names files, folders or glob patterns of their paths (as ``rag info`` lists them), and
filters by file type, folder and modification time (stored at ingest). It is resolved against
the collection's manifest into the set of documents both retrieval arms search, before they
rank anything: a scope of one small file still gets that file's best paragraphs.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from rag.errors import ScopeError

Moment = float | str | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Scope:
    """Documents chosen by path and filters; every part given must match (an unset part
    matches every document)."""

    # files, folders ("manuals" or "manuals/") or glob patterns ("manuals/*.html"; "*" also
    # matches "/"); a pattern without "/" also matches file names in any folder
    only: tuple[str, ...] | None = None
    types: tuple[str, ...] = ()  # file suffixes: "pdf" or ".pdf"
    folders: tuple[str, ...] = ()  # documents under any of these folders
    modified_after: float | None = None  # seconds since the epoch (see ``Scope.of``)
    modified_before: float | None = None

    @classmethod
    def of(
        cls,
        only: Iterable[str] | str | None = None,
        types: Iterable[str] | str = (),
        folders: Iterable[str] | str = (),
        modified_after: Moment = None,
        modified_before: Moment = None,
    ) -> Scope | None:
        """The scope the arguments describe (dates as ISO text, date, datetime or epoch
        seconds), or None when they choose every document. A ScopeError for an empty list of
        paths or an unreadable date."""
        paths = None if only is None else _texts(only)
        if paths is not None and not paths:
            raise ScopeError("the scope is empty: name at least one file, folder or pattern")
        scope = cls(
            paths,
            tuple(t.lower() if t.startswith(".") else f".{t.lower()}" for t in _texts(types)),
            tuple(f.strip("/") for f in _texts(folders)),
            _moment(modified_after, "modified-after"),
            _moment(modified_before, "modified-before"),
        )
        return None if scope == cls() else scope

    def matches(self, source: str, modified: float | None) -> bool:
        path = PurePosixPath(source)
        if self.only is not None and not any(_matches(source, p) for p in self.only):
            return False
        if self.types and path.suffix.lower() not in self.types:
            return False
        if self.folders and not any(_under(source, f) for f in self.folders):
            return False
        if self.modified_after is not None or self.modified_before is not None:
            if modified is None:
                return False  # indexed before times were stored: not known to match
            if self.modified_after is not None and modified < self.modified_after:
                return False
            if self.modified_before is not None and modified >= self.modified_before:
                return False
        return True

    def describe(self) -> str:
        """The scope as a user gave it, for messages: "'a.txt', type .pdf"."""
        parts = [repr(p) for p in self.only or ()]
        parts += [f"type {t}" for t in self.types]
        parts += [f"folder {f}/" for f in self.folders]
        if self.modified_after is not None:
            parts.append(f"modified after {_day(self.modified_after)}")
        if self.modified_before is not None:
            parts.append(f"modified before {_day(self.modified_before)}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Selection:
    """The documents a scope chose, out of how many the collection has."""

    sources: frozenset[str]
    total: int

    @property
    def where(self) -> str:
        """How a refusal names them: "the 2 selected documents"."""
        count = len(self.sources)
        return f"the {count} selected document{'s' if count != 1 else ''}"


def select(scope: Scope, files: Mapping[str, float | None]) -> Selection:
    """The indexed files (source -> modification time) ``scope`` chooses; a ScopeError when it
    chooses none, naming the scope and a few of the files there are."""
    chosen = frozenset(s for s, modified in files.items() if scope.matches(s, modified))
    if not chosen:
        known = sorted(files)
        shown = ", ".join(known[:5]) + (f" and {len(known) - 5} more" if len(known) > 5 else "")
        raise ScopeError(
            f"no document matches {scope.describe()}; "
            + (f"the collection has {len(known)}: {shown}" if known else "the collection is empty")
        )
    return Selection(chosen, len(files))


def _matches(source: str, pattern: str) -> bool:
    pattern = pattern.strip()
    if source == pattern or _under(source, pattern):
        return True
    if fnmatch.fnmatchcase(source, pattern):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(PurePosixPath(source).name, pattern)


def _under(source: str, folder: str) -> bool:
    folder = folder.strip().strip("/")
    return bool(folder) and source.startswith(folder + "/")


def _texts(values: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    return tuple(v.strip() for v in values if v and v.strip())


def _moment(value: Moment, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ScopeError(
                f"{name} must be a date like 2025-01-31 (or 2025-01-31T12:00), not {value!r}"
            ) from None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.astimezone()  # a date as the user's local time
    return value.timestamp()


def _day(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).isoformat(timespec="minutes").replace("T00:00", "")
