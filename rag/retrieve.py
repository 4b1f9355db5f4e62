"""Question -> ranked passages: nearest embedding windows, grouped into whole paragraphs."""

from __future__ import annotations

from rag.embeddings import Embedder
from rag.store import ParagraphStore
from rag.types import Passage

# Windows fetched per passage asked for, so that long paragraphs with several matching
# windows still leave k distinct paragraphs.
WINDOWS_PER_PASSAGE = 3


class Retriever:
    def __init__(self, store: ParagraphStore, embedder: Embedder):
        self.store = store
        self.embedder = embedder

    def retrieve(self, query: str, k: int) -> list[Passage]:
        """The ``k`` best paragraphs for ``query``, best first.

        A paragraph scores as its best-matching window.
        """
        windows = self.store.query(self.embedder.embed_query(query), k * WINDOWS_PER_PASSAGE)
        best: dict[tuple[str, int], Passage] = {}
        for passage in windows:
            key = (passage.source, passage.paragraph)
            if key not in best or passage.score > best[key].score:
                best[key] = passage
        ranked = sorted(best.values(), key=lambda p: (-p.score, p.source, p.paragraph))
        return ranked[:k]
