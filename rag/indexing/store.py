"""The Chroma collection of paragraph windows, reached through llama-index's ChromaVectorStore.

Embedded ``PersistentClient`` in the index directory by default (one process at a time);
a Chroma server (``chroma run``) when ``chroma_url`` is set (several processes, other machines).
"""

from __future__ import annotations

import functools
import logging
from contextlib import nullcontext
from urllib.parse import urlparse

from rag.config import Settings
from rag.errors import (
    ConfigError,
    EmbeddingModelMismatchError,
    StoreUnavailableError,
)
from rag.indexing.collection_names import chroma_names
from rag.indexing.lock import WRITE_LOCK, write_lock
from rag.indexing.records import FileRecords, WindowHit, to_node, to_paragraph, to_passage
from rag.indexing.windows import LAYOUT_VERSION, window_id
from rag.types import FileReport, Paragraph, Passage

log = logging.getLogger(__name__)


GET_PAGE = 5000  # records per Chroma get
ADD_BATCH = 2000  # records per Chroma add
SOURCES_PER_CALL = 200  # files named in one Chroma filter (SQLite limits a query's variables)


def open_client(settings: Settings):
    """The Chroma client for ``settings``: the server's, else the index directory's."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"RAG_CHROMA_URL must look like http://host:port, not {url.geturl()!r}"
            )
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as error:  # chromadb raises several types for a refused connection
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {settings.chroma_url}: is it running? "
                f"(start one with: chroma run --path DIR --host 127.0.0.1 --port N)"
            ) from error
        return client
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as error:
        raise StoreUnavailableError(
            f"cannot open the index at {settings.index_dir}: {error}"
        ) from None


def _server_call(method):
    """A store method that reaches a Chroma server: the server going away mid-session is one
    clear StoreUnavailableError, and the next call after it is back simply works (each call
    is its own HTTP request)."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            if not self.settings.chroma_url or not _lost_connection(error):
                raise
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {self.settings.chroma_url}: is it running? "
                "(the next question reconnects once it is back)"
            ) from None

    return call


def _lost_connection(error: Exception) -> bool:
    import httpx

    return isinstance(error, httpx.TransportError | ConnectionError | TimeoutError)


class ParagraphStore:
    """Paragraph windows with their embeddings, grouped per source file for replacement."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._chroma = open_client(settings)
        self.names = chroma_names(settings.collection)
        self._collection = self._existing_collection()
        self._files = self._existing_files()

    @property
    def _files_name(self) -> str:
        return self.names.manifest

    def _existing_files(self):
        if self._collection is None:
            return None
        names = [getattr(c, "name", c) for c in self._chroma.list_collections()]
        if self._files_name not in names:
            return None
        return self._chroma.get_collection(self._files_name)

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir.resolve())

    def writing(self):
        """Hold the embedded index for writing: a second process that tries while this one
        writes is refused at once with IndexBusyError (a Chroma server orders its own writes)."""
        if self.settings.chroma_url:
            return nullcontext()
        return write_lock(self.settings.index_dir / WRITE_LOCK, self.location)

    def _existing_collection(self):
        names = [getattr(c, "name", c) for c in self._chroma.list_collections()]
        if self.names.records not in names:
            return None
        collection = self._chroma.get_collection(self.names.records)
        recorded = (collection.metadata or {}).get("embed_model")
        if (collection.metadata or {}).get("layout") != self.layout:
            log.warning(
                "the index at %s was built with other windows; `rag ingest` rebuilds it",
                self.location,
            )
        if recorded and recorded != self.settings.embed_model:
            raise EmbeddingModelMismatchError(
                f"the index at {self.location} was built with embedding model {recorded!r}, "
                f"not {self.settings.embed_model!r}; re-ingest into a new index directory"
            )
        return collection

    @property
    def recorded_backend(self) -> str | None:
        """The embedding backend that wrote the index (None: empty); indexes made before
        backends were recorded were written by torch."""
        if self._collection is None:
            return None
        return (self._collection.metadata or {}).get("embed_backend", "torch")

    def _other_backend(self) -> bool:
        """Whether the index holds vectors of another embedding backend than the configured."""
        recorded = self.recorded_backend
        return recorded is not None and recorded != self.settings.embed_backend

    def check_backend(self) -> None:
        """EmbeddingModelMismatchError when the index was written by another embedding
        backend than the configured one: its vectors are not read with another's."""
        if self._other_backend():
            recorded = self.recorded_backend
            raise EmbeddingModelMismatchError(
                f"the index at {self.location} was embedded with backend {recorded!r}, not "
                f"{self.settings.embed_backend!r}; `rag ingest` re-embeds it (or set "
                f"RAG_EMBED_BACKEND={recorded})"
            )

    def ensure_collection(self, dimension: int) -> None:
        if self._collection is None:
            self._collection = self._chroma.create_collection(
                self.names.records,
                metadata={
                    "hnsw:space": "cosine",
                    "embed_model": self.settings.embed_model,
                    "embed_backend": self.settings.embed_backend,
                    "embed_dim": dimension,
                    "layout": self.layout,
                },
            )
        if self._files is None:
            self._files = self._chroma.get_or_create_collection(
                self._files_name, metadata={"role": "file manifest"}
            )

    @property
    def layout(self) -> str:
        return f"v{LAYOUT_VERSION}:{self.settings.window_sentences}-sentence windows"

    @_server_call
    def revision(self) -> str | None:
        """A fingerprint of the indexed content, read afresh (another process may have ingested
        into a Chroma server): the sorted file hashes, set by ``mark_revision`` after ingest."""
        if self._collection is None:
            return None
        collection = self._chroma.get_collection(self.names.records)
        return (collection.metadata or {}).get("revision")

    @_server_call
    def mark_revision(self) -> str:
        """Record the fingerprint of what is indexed now (and the layout it was built with)."""
        import hashlib

        hashes = sorted(self.file_hashes().items())
        written = (self.layout, self.settings.embed_backend, hashes)
        revision = hashlib.sha256(repr(written).encode()).hexdigest()[:16]
        if self._collection is not None:
            metadata = {
                key: value
                for key, value in (self._collection.metadata or {}).items()
                if not key.startswith("hnsw:")  # fixed at creation; Chroma refuses to re-set it
            }
            self._collection.modify(
                metadata=metadata | {"layout": self.layout, "revision": revision}
            )
        return revision

    @property
    def embed_dimension(self) -> int | None:
        if self._collection is None:
            return None
        return (self._collection.metadata or {}).get("embed_dim")

    @property
    def _vector_store(self):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self._collection)

    @_server_call
    def is_empty(self) -> bool:
        return self.window_count() == 0

    def window_count(self) -> int:
        """The embedded windows stored (every paragraph has one or more)."""
        return 0 if self._collection is None else self._collection.count()

    @_server_call
    def _get_all(self, include: list[str], where: dict | None = None) -> dict[str, list]:
        """Every matching record, fetched in pages (one query for all would exceed SQLite's
        limit on query variables for a large collection)."""
        found: dict[str, list] = {"ids": [], **{field: [] for field in include}}
        if self._collection is None:
            return found
        offset = 0
        while True:
            page = self._collection.get(where=where, include=include, limit=GET_PAGE, offset=offset)
            for field in found:
                found[field].extend(page[field])
            if len(page["ids"]) < GET_PAGE:
                return found
            offset += GET_PAGE

    def is_outdated(self) -> bool:
        """Whether the index was built with another window layout or embedding backend
        (ingest then rebuilds it)."""
        metadata = self._collection.metadata if self._collection is not None else None
        if metadata is None:
            return False
        return metadata.get("layout") != self.layout or self._other_backend()

    @_server_call
    def drop(self) -> None:
        """Delete the whole collection and its file manifest."""
        if self._collection is not None:
            self._chroma.delete_collection(self.names.records)
            self._collection = None
        if self._files is not None:
            self._chroma.delete_collection(self._files_name)
            self._files = None

    @_server_call
    def _manifest(self) -> list[tuple[str, dict]]:
        if self._files is None or self.is_outdated():
            return []
        found = self._files.get(include=["metadatas"])
        return sorted(zip(found["ids"], found["metadatas"], strict=True))

    def file_hashes(self) -> dict[str, str]:
        """Content hash of every completely indexed file, by source (none for an outdated
        index, so that ingest rebuilds every file)."""
        return {source: m["file_hash"] for source, m in self._manifest()}

    def paragraph_counts(self) -> dict[str, int]:
        """The paragraphs of every indexed file that has any."""
        return {s: int(m["paragraphs"]) for s, m in self._manifest() if int(m["paragraphs"])}

    def modification_times(self) -> dict[str, float | None]:
        """Every listed file's modification time when it was indexed (None: indexed before
        times were stored), by source, for the files that have paragraphs; scopes filter on
        it."""
        return self.file_hashes_and_times()[1]

    def file_hashes_and_times(self) -> tuple[dict[str, str], dict[str, float | None]]:
        """``file_hashes()`` and ``modification_times()`` from one read of the manifest."""
        manifest = self._manifest()
        hashes = {source: m["file_hash"] for source, m in manifest}
        times = {s: m.get("modified") for s, m in manifest if int(m["paragraphs"])}
        return hashes, times

    @_server_call
    def set_modification_times(self, times: dict[str, float]) -> None:
        """Record new modification times of listed files whose content did not change."""
        if self._files is not None and times:
            sources = sorted(times)
            self._files.update(ids=sources, metadatas=[{"modified": times[s]} for s in sources])

    def file_reports(self) -> list[FileReport]:
        """What was read from every listed file, those that gave no text included."""
        return [
            FileReport(
                source,
                int(m["paragraphs"]),
                int(m.get("tables", 0)),
                tuple(int(n) for n in str(m.get("ocr_pages", "")).split(",") if n),
                tuple(line for line in str(m.get("skipped", "")).split("\n") if line),
            )
            for source, m in self._manifest()
        ]

    @_server_call
    def replace_files(self, files: list[FileRecords]) -> None:
        """Replace every window of each file by its records, then list the files as complete,
        with what was read from each (a file that gave no text is listed too, with no records).
        A few Chroma calls for the whole group, not a few per file. (Chroma keeps the old text
        on an id that already exists: deleting first is what makes an update an update.)
        Interrupted anywhere, none of the group is listed, so the next ingest writes it again."""
        self.remove_files([f.source for f in files])
        if self._files is None or not files:
            return
        nodes = [to_node(r) for f in files for r in f.records]
        for start in range(0, len(nodes), ADD_BATCH):
            self._vector_store.add(nodes[start : start + ADD_BATCH])
        self._files.upsert(
            ids=[f.source for f in files],
            embeddings=[[1.0]] * len(files),  # the manifest is never searched; Chroma wants one
            metadatas=[_manifest_entry(f) for f in files],
        )

    @_server_call
    def remove_files(self, sources: list[str]) -> None:
        """Unlist ``sources`` and delete their windows."""
        if self._files is not None and sources:
            self._files.delete(ids=sources)
        if self._collection is not None:
            for start in range(0, len(sources), SOURCES_PER_CALL):
                group = sources[start : start + SOURCES_PER_CALL]
                self._collection.delete(where={"source": {"$in": group}})

    @_server_call
    def query(
        self, embedding: list[float], n: int, sources: frozenset[str] | None = None
    ) -> list[WindowHit]:
        """The ``n`` nearest windows, with their cosine similarity; only windows of
        ``sources`` when given (Chroma filters by metadata before the nearest-neighbour
        search, so a small scope still gets its ``n`` best)."""
        if self.is_empty() or (sources is not None and not sources):
            return []
        # Chroma's own query, asking for metadata and distances only: llama-index's query
        # builds a node with its text for every hit, which cost more than the search itself.
        where = {"source": {"$in": sorted(sources)}} if sources is not None else None
        found = self._collection.query(
            query_embeddings=[embedding],
            n_results=n,
            where=where,
            include=["metadatas", "distances"],
        )
        # With cosine space, distance = 1 - cosine similarity.
        return [
            WindowHit(m["source"], int(m["paragraph"]), 1.0 - float(distance))
            for m, distance in zip(found["metadatas"][0], found["distances"][0], strict=True)
        ]

    @_server_call
    def similarities(self, embedding: list[float], ids: list[str]) -> dict[str, float]:
        """Cosine similarity of ``embedding`` to each stored window in ``ids``."""
        if not ids or self._collection is None:
            return {}
        import numpy as np

        found = self._collection.get(ids=ids, include=["embeddings"])
        if not found["ids"]:
            return {}
        vectors = np.asarray(found["embeddings"], dtype=np.float32)
        scores = vectors @ np.asarray(embedding, dtype=np.float32)  # both unit length
        return dict(zip(found["ids"], map(float, scores), strict=True))

    @_server_call
    def paragraphs(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Passage]:
        """The whole paragraphs (window 0 records) for ``keys``, as passages scored 0."""
        if not keys or self._collection is None:
            return {}
        found = self._collection.get(
            ids=[window_id(s, p, 0) for s, p in keys], include=["documents", "metadatas"]
        )
        passages = [
            to_passage(m, text)
            for m, text in zip(found["metadatas"], found["documents"], strict=True)
        ]
        return {(p.source, p.paragraph): p for p in passages}

    def file_paragraphs(self, sources: list[str]) -> list[Paragraph]:
        """The stored paragraphs of ``sources``, by source and number."""
        found: list[Paragraph] = []
        sources = sorted(sources)
        for start in range(0, len(sources), SOURCES_PER_CALL):
            group = sources[start : start + SOURCES_PER_CALL]
            found += self._stored_paragraphs({"$and": [{"window": 0}, {"source": {"$in": group}}]})
        return found

    def _stored_paragraphs(self, where: dict) -> list[Paragraph]:
        found = self._get_all(["documents", "metadatas"], where=where)
        paragraphs = [
            to_paragraph(m, text)
            for m, text in zip(found["metadatas"], found["documents"], strict=True)
        ]
        return sorted(paragraphs, key=lambda p: (p.source, p.paragraph))


def _manifest_entry(file: FileRecords) -> dict:
    report = file.report
    return {
        "file_hash": file.file_hash,
        "paragraphs": report.paragraphs,
        "tables": report.tables,
        "ocr_pages": ",".join(map(str, report.ocr_pages)),
        "skipped": "\n".join(report.skipped),
    } | ({"modified": file.modified} if file.modified is not None else {})
