"""The zip-based formats (DOCX, XLSX, PPTX, ODT, ODS, EPUB) are looked at before they are opened:
a zip bomb (a small file that unpacks to gigabytes, or to millions of members) is refused unread.

A member's declared size bounds what Python's zipfile unpacks from it (it stops there and fails
the CRC check), so the sum of the declared sizes bounds the whole read."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import RagError, UnreadableDocumentError

MAX_UNPACKED_MB = 256  # an ordinary office document or e-book unpacks to far less
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # unpacked / packed: text compresses about 5-20 times, a bomb 1,000 and more


def check_archive(path: Path, source: str, kind: str) -> None:
    """Refuse ``path`` (a ``kind`` file, e.g. "XLSX") unless it is a zip archive of ordinary
    size: at most MAX_UNPACKED_MB unpacked, MAX_MEMBERS members, and no member that unpacks
    to more than MAX_RATIO times its packed size (above a megabyte)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableDocumentError(
            f"cannot read {source}: not a readable {kind} ({error})"
        ) from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_MB * 2**20:
        raise UnreadableDocumentError(
            f"cannot read {source}: it unpacks to {unpacked / 2**20:,.0f} MB "
            f"(more than {MAX_UNPACKED_MB} MB: not an ordinary document)"
        )
    if len(members) > MAX_MEMBERS:
        raise UnreadableDocumentError(
            f"cannot read {source}: it holds {len(members):,} files "
            f"(more than {MAX_MEMBERS:,}: not an ordinary document)"
        )
    for member in members:
        if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableDocumentError(
                f"cannot read {source}: {member.filename} unpacks to "
                f"{member.file_size / max(member.compress_size, 1):,.0f} times its size "
                "(a zip bomb, not an ordinary document)"
            )


@contextmanager
def reading_archive(source: str, kind: str) -> Iterator[None]:
    """Turn whatever a damaged ``kind`` file makes its library raise (a bad CRC, a cut-off
    deflate stream, broken XML, a missing part) into one line naming the file."""
    try:
        yield
    except RagError:
        raise
    except Exception as error:  # the libraries fail in many ways on a damaged package
        raise UnreadableDocumentError(
            f"cannot read {source}: not a readable {kind} ({type(error).__name__}: {error})"
        ) from None
