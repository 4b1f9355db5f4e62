"""How collections are named, and the Chroma collections behind each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.errors import CollectionError

DEFAULT = "default"
REGISTRY = "rag-collections"
NAME = re.compile(r"[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class ChromaNames:
    records: str  # the paragraph windows
    manifest: str  # one record per indexed file


def chroma_names(name: str) -> ChromaNames:
    """The Chroma collections behind collection ``name`` (prefixes keep the manifest of one
    from ever being the records of another, whatever the names)."""
    if name == DEFAULT:
        return ChromaNames("paragraphs", "paragraphs-files")
    return ChromaNames(f"c-{name}", f"m-{name}")


def check_name(name: str) -> str:
    """``name`` when it can name a collection; a CollectionError saying why not."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise CollectionError(
            f"{name!r} cannot name a collection: use 1-63 lower-case letters, digits, '-' "
            "or '_', starting and ending with a letter or digit"
        )
    return name
