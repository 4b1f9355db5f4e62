"""The dense arm: paragraphs ranked by the cosine similarity of their best window."""

from __future__ import annotations

from rag.indexing.embedder import Embedder
from rag.indexing.store import ParagraphStore
from rag.retrieval.passages import Key, ranked_passages
from rag.types import Passage

# Windows fetched per paragraph asked for, so that paragraphs with several matching
# windows still leave enough distinct paragraphs.
WINDOWS_PER_PASSAGE = 4
# A scope of more documents than this is first looked for among the nearest windows of all
# (this many times as many); when enough of them are in scope, they are the scope's nearest,
# without the cost of Chroma's metadata filter, which grows with the documents named.
SMALL_SCOPE = 8
OVERFETCH = 2


class DenseRetriever:
    """Nearest windows in the store, each paragraph scored by its best window."""

    def __init__(self, store: ParagraphStore, embedder: Embedder):
        self.store = store
        self.embedder = embedder

    def nearest(
        self, embedding: list[float], n: int, sources: frozenset[str] | None = None
    ) -> dict[Key, float]:
        """The ``n`` paragraphs with the most similar windows, each scored by its best window
        (only paragraphs of ``sources`` when given)."""
        best: dict[Key, float] = {}
        for hit in self._nearest_windows(embedding, n * WINDOWS_PER_PASSAGE, sources):
            key = (hit.source, hit.paragraph)
            best[key] = max(best.get(key, -1.0), hit.similarity)
        return dict(sorted(best.items(), key=lambda item: (-item[1], item[0]))[:n])

    def _nearest_windows(self, embedding: list[float], n: int, sources: frozenset[str] | None):
        if sources is not None and len(sources) > SMALL_SCOPE:
            hits = self.store.query(embedding, n * OVERFETCH)
            inside = [hit for hit in hits if hit.source in sources]
            if len(inside) >= n or len(hits) < n * OVERFETCH:  # enough, or every window seen
                return inside[:n]
        return self.store.query(embedding, n, sources)

    def exact(self, embedding: list[float], windows: dict[Key, list[str]]) -> dict[Key, float]:
        """Best-window similarity of the given paragraphs (``windows``: their window ids), for
        those the nearest-window search did not return."""
        by_window = self.store.similarities(embedding, [i for ids in windows.values() for i in ids])
        best: dict[Key, float] = {}
        for key, ids in windows.items():
            found = [by_window[i] for i in ids if i in by_window]
            if found:
                best[key] = max(found)
        return best

    def retrieve(self, query: str, k: int, sources: frozenset[str] | None = None) -> list[Passage]:
        if self.store.is_empty():
            return []
        similarity = self.nearest(self.embedder.embed_query(query), k, sources)
        ranked = sorted(similarity, key=lambda key: (-similarity[key], key))[:k]
        return ranked_passages(self.store, ranked, similarity)
