"""Mail (.eml, one message; .mbox, a mailbox of many) -> Blocks through the standard library's
email package: each message's subject, sender and date as its heading, then its body (the
plain-text part, else the HTML part through the HTML reader), then each attachment of a type
rag reads, read by that format's reader and cited as part of its message ("message 3,
attachment minutes.pdf").

Attachments are read one level deep (a mail attached to a mail is not opened again), at most
MAX_ATTACHMENT_MB each.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import tempfile
from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path, PurePath

from rag.errors import UnreadableDocumentError
from rag.reading.blocks import Block, normalize_space
from rag.reading.html import blocks_from_html
from rag.reading.options import Reading
from rag.reading.plain import blocks_from_text

MAX_ATTACHMENT_MB = 50
MAX_MESSAGES = 100_000  # messages read from one mailbox
MAIL_SUFFIXES = (".eml", ".mbox")

# reads one attachment saved as a file: (path, name, reading) -> blocks (rag.reading.readers)
AttachmentReader = Callable[[Path, str, Reading], list[Block]]


def read_eml(
    path: Path, source: str, reading: Reading, attachments: dict[str, AttachmentReader]
) -> list[Block]:
    message = _parse(path.read_bytes(), source)
    return _message_blocks(message, None, source, reading, attachments)


def read_mbox(
    path: Path, source: str, reading: Reading, attachments: dict[str, AttachmentReader]
) -> list[Block]:
    box = mailbox.mbox(str(path), factory=None, create=False)
    blocks: list[Block] = []
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            if number > MAX_MESSAGES:
                reading.notes.skip(f"only the first {MAX_MESSAGES:,} messages read")
                break
            message = _parse(box.get_bytes(key), source)
            blocks += _message_blocks(message, number, source, reading, attachments)
    finally:
        box.close()
    return blocks


def _parse(data: bytes, source: str) -> EmailMessage:
    try:
        return email.message_from_bytes(data, policy=email.policy.default)
    except (ValueError, TypeError, IndexError) as error:
        raise UnreadableDocumentError(
            f"cannot read {source}: not a readable message ({error})"
        ) from None


def _message_blocks(
    message: EmailMessage,
    number: int | None,
    source: str,
    reading: Reading,
    attachments: dict[str, AttachmentReader],
) -> list[Block]:
    where = f"message {number}" if number is not None else None
    blocks = [Block(_heading(message), None, is_heading=True)]
    body = _body(message)
    if body is not None:
        blocks += [_placed(block, where) for block in body]
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        suffix = PurePath(name).suffix.lower()
        read = attachments.get(suffix)
        if not name or read is None or suffix in MAIL_SUFFIXES:
            continue
        found = _attachment_blocks(part, name, read, reading)
        place = f"{where}, attachment {name}" if where else f"attachment {name}"
        blocks += [_placed(block, place) for block in found]
    return blocks if len(blocks) > 1 else []


def _heading(message: EmailMessage) -> str:
    """ "Subject — From, Date" (what a mail client lists)."""
    subject = normalize_space(str(message.get("subject", "") or "")) or "(no subject)"
    sender = normalize_space(str(message.get("from", "") or ""))
    date = normalize_space(str(message.get("date", "") or ""))
    details = ", ".join(part for part in (sender, date) if part)
    return f"{subject} — {details}" if details else subject


def _body(message: EmailMessage) -> list[Block] | None:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return None
    if part.get_content_subtype() == "html":
        return blocks_from_html(content)
    return [replace(block, lines=None) for block in blocks_from_text(content)]


def _attachment_blocks(part, name: str, read: AttachmentReader, reading: Reading) -> list[Block]:
    data = part.get_payload(decode=True) or b""
    if len(data) > MAX_ATTACHMENT_MB * 2**20:
        reading.notes.skip(f"attachment {name}: more than {MAX_ATTACHMENT_MB} MB, not read")
        return []
    with tempfile.TemporaryDirectory(prefix="rag-attachment-") as folder:
        saved = Path(folder) / f"attachment{PurePath(name).suffix.lower()}"
        saved.write_bytes(data)
        try:
            return read(saved, name, reading)
        except UnreadableDocumentError as error:
            reading.notes.skip(f"attachment {name}: {error}")
            return []


def _placed(block: Block, where: str | None) -> Block:
    """``block`` under its message's heading (a heading one level deeper), cited as part of
    ``where`` (its message, its attachment)."""
    if block.is_heading:
        return replace(block, level=block.level + 1)
    if where is None:
        return block
    place = ", ".join(
        part for part in (where, block.page and f"page {block.page}", block.location) if part
    )
    return replace(block, location=place, page=None)
