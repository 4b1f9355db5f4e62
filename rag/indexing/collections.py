"""Named collections: several unrelated document sets in one index directory or Chroma server.

Each collection has its own Chroma records, file manifest, BM25 arm, corpus folder and the
settings it was created with (its embedding model, say). The registry is one more Chroma
collection, so a Chroma server shares it between machines as it shares the records. The
``default`` collection is the one every index had before collections: its records keep their
old names, so an older index opens as it is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.config import Settings
from rag.errors import CollectionError
from rag.indexing.bm25 import LexicalIndexes
from rag.indexing.collection_names import DEFAULT, NAME, REGISTRY, check_name
from rag.indexing.store import ParagraphStore, open_client

# The settings a collection records when it is created; the rest are the server's or the
# command's. Given explicitly (a CLI flag, a keyword argument), a setting still wins.
RECORDED = ("corpus_dir", "embed_model", "window_sentences", "ocr_language", "table_max_rows")


def recorded_settings(settings: Settings) -> dict[str, object]:
    """What a collection created with ``settings`` records of them."""
    return {key: getattr(settings, key) for key in RECORDED}


@dataclass(frozen=True)
class Collection:
    """A collection's name and the settings it was created with (by field name)."""

    name: str
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def corpus_dir(self) -> Path | None:
        value = self.settings.get("corpus_dir")
        return Path(value) if value else None


class CollectionRegistry:
    """The collections an index holds, with the settings each was created with."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._chroma = open_client(settings)

    def _registry(self, create: bool = False):
        names = {getattr(c, "name", c) for c in self._chroma.list_collections()}
        if REGISTRY in names:
            return self._chroma.get_collection(REGISTRY)
        if create:
            return self._chroma.create_collection(REGISTRY, metadata={"role": "collections"})
        return None

    def names(self) -> list[str]:
        """Every collection's name, the default first."""
        registry = self._registry()
        found = registry.get(include=[])["ids"] if registry is not None else []
        return [DEFAULT, *sorted(n for n in found if n != DEFAULT)]

    def find(self, name: str) -> Collection | None:
        if name == DEFAULT:
            return Collection(DEFAULT)
        registry = self._registry()
        if registry is None or not NAME.fullmatch(name):
            return None
        found = registry.get(ids=[name], include=["metadatas"])
        if not found["ids"]:
            return None
        return Collection(name, json.loads((found["metadatas"][0] or {}).get("settings", "{}")))

    def get(self, name: str) -> Collection:
        """Collection ``name``; a CollectionError naming the known ones when there is none."""
        found = self.find(check_name(name))
        if found is None:
            raise CollectionError(
                f"no collection {name!r} in {self.location}; it has: {', '.join(self.names())} "
                f"(create one with `rag collections create {name} --corpus DIR`)"
            )
        return found

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir)

    def create(self, name: str, settings: dict[str, object]) -> Collection:
        """Record a new collection with ``settings`` (fields of RECORDED); a CollectionError
        when one of that name exists."""
        check_name(name)
        if self.find(name) is not None:
            raise CollectionError(f"collection {name!r} already exists in {self.location}")
        unknown = sorted(set(settings) - set(RECORDED))
        if unknown:
            raise CollectionError(
                f"a collection does not record {', '.join(unknown)}; it records: "
                + ", ".join(RECORDED)
            )
        recorded = {key: str(value) for key, value in settings.items() if value is not None}
        if "corpus_dir" in recorded:
            recorded["corpus_dir"] = str(Path(recorded["corpus_dir"]).resolve())
        self._registry(create=True).upsert(
            ids=[name],
            embeddings=[[1.0]],  # never searched; Chroma wants a vector
            metadatas=[{"settings": json.dumps(recorded, sort_keys=True)}],
        )
        return Collection(name, recorded)

    def forget(self, name: str) -> None:
        registry = self._registry()
        if registry is not None:
            registry.delete(ids=[name])


def collection_settings(settings: Settings, keep: Iterable[str] = ()) -> Settings:
    """``settings`` for the collection it names: the collection's recorded settings over them,
    except the fields in ``keep`` (given explicitly, so they win). A CollectionError when
    there is no such collection."""
    name = check_name(settings.collection)
    if name == DEFAULT:
        return settings
    collection = CollectionRegistry(settings).get(name)
    kept = set(keep)
    return settings.replace(
        **{key: value for key, value in collection.settings.items() if key not in kept}
    )


def delete_collection(settings: Settings) -> None:
    """Delete the records, manifest, BM25 arm and registry entry of the collection
    ``settings`` names (its corpus folder is the user's and stays); the default collection
    is not deleted."""
    name = check_name(settings.collection)
    if name == DEFAULT:
        raise CollectionError(
            "the default collection cannot be deleted (ingest an empty folder to empty it)"
        )
    registry = CollectionRegistry(settings)
    resolved = collection_settings(settings)
    store = ParagraphStore(resolved)
    with store.writing():
        store.drop()
        shutil.rmtree(LexicalIndexes.directory_for(resolved), ignore_errors=True)
        registry.forget(name)
