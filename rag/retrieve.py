"""Question -> ranked passages: BM25 and embedding similarity, each alone or fused ("hybrid")."""

from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path

from rag.config import Settings
from rag.embeddings import Embedder
from rag.errors import ConfigError
from rag.lexical import LexicalIndex
from rag.store import ParagraphStore
from rag.types import Paragraph, Passage

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")
# Windows fetched per paragraph asked for, so that paragraphs with several matching
# windows still leave enough distinct paragraphs.
WINDOWS_PER_PASSAGE = 4

Key = tuple[str, int]


def _normalised(scores: dict[Key, float]) -> dict[Key, float]:
    """Min-max normalised to 0..1 over the pool (all equal: all 1)."""
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-9:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


class Retriever:
    """Ranks paragraphs for a question with the arm(s) that ``settings.retrieval`` names.

    Every returned passage carries its cosine similarity (``score``, the best of its windows,
    which the answer generators read), and, where the BM25 arm ran, its ``lexical_score``
    and ``fused_score``.
    """

    def __init__(self, store: ParagraphStore, embedder: Embedder, settings: Settings):
        if settings.retrieval not in MODES:
            raise ConfigError(
                f"unknown retrieval {settings.retrieval!r}; choose one of: {', '.join(MODES)}"
            )
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.mode = settings.retrieval
        self._lexical: LexicalIndex | None = None
        self._lexical_lock = threading.Lock()  # questions run in parallel; one rebuilds it

    @property
    def lexical_dir(self) -> Path:
        return self.settings.index_dir / "lexical" / self.settings.collection

    def lexical(self, known: dict[str, list[Paragraph]] | None = None) -> LexicalIndex | None:
        """The BM25 arm for the store's current content: kept in memory, else loaded from disk,
        else updated from the store's records of the files that changed (after an ingest, here
        or elsewhere) and saved. ``known``: paragraphs of files just written, by source."""
        revision = self.store.revision()
        if revision is None:
            return None
        if self._lexical is not None and self._lexical.revision == revision:
            return self._lexical
        with self._lexical_lock:
            if self._lexical is not None and self._lexical.revision == revision:
                return self._lexical  # brought up to date by another question meanwhile
            return self._updated_lexical(revision, known)

    def _updated_lexical(
        self, revision: str, known: dict[str, list[Paragraph]] | None
    ) -> LexicalIndex:
        index = LexicalIndex.load(self.lexical_dir)
        if index is None or index.revision != revision:
            log.info("updating the BM25 index of %s", self.store.location)
            base = index or self._lexical or LexicalIndex.empty()
            known = known or {}

            def read(sources: list[str]) -> list[Paragraph]:
                stored = self.store.file_paragraphs([s for s in sources if s not in known])
                return stored + [p for s in sources if s in known for p in known[s]]

            index = base.updated(
                revision, self.store.file_hashes(), read, self.settings.window_sentences
            )
            index.save(self.lexical_dir)
        self._lexical = index
        return index

    def retrieve(self, query: str, k: int) -> list[Passage]:
        """The ``k`` best paragraphs for ``query``, best first (ties: by source, paragraph)."""
        if self.store.is_empty():
            return []
        embedding = self.embedder.embed_query(query)
        if self.mode == "dense":
            similarity = self._dense(embedding, k)
            ranked = sorted(similarity, key=lambda key: (-similarity[key], key))[:k]
            return self._passages(ranked, similarity)
        lexical = self.lexical()
        if lexical is None:
            return []
        scores = lexical.scores(query)
        if self.mode == "bm25":
            ranked = lexical.best(scores, k)
            similarity = self._similarities(embedding, ranked, lexical)
            lexical_scores = {key: lexical.score_of(scores, key) for key in ranked}
            return self._passages(ranked, similarity, lexical_scores)
        depth = max(k, self.settings.hybrid_candidates)
        similarity = self._dense(embedding, depth)
        pool = list(dict.fromkeys([*lexical.best(scores, depth), *similarity]))
        similarity |= self._similarities(
            embedding, [key for key in pool if key not in similarity], lexical
        )
        lexical_scores = {key: lexical.score_of(scores, key) for key in pool}
        lexical_part = _normalised(lexical_scores)
        dense_part = _normalised({key: similarity.get(key, 0.0) for key in pool})
        weight = self.settings.hybrid_lexical_weight
        fused = {key: weight * lexical_part[key] + (1 - weight) * dense_part[key] for key in pool}
        ranked = sorted(pool, key=lambda key: (-fused[key], key))[:k]
        return self._passages(ranked, similarity, lexical_scores, fused)

    def _dense(self, embedding: list[float], n: int) -> dict[Key, float]:
        """The ``n`` paragraphs with the most similar windows, each scored by its best window."""
        best: dict[Key, float] = {}
        for hit in self.store.query(embedding, n * WINDOWS_PER_PASSAGE):
            key = (hit.source, hit.paragraph)
            best[key] = max(best.get(key, -1.0), hit.similarity)
        return dict(sorted(best.items(), key=lambda item: (-item[1], item[0]))[:n])

    def _similarities(
        self, embedding: list[float], keys: list[Key], lexical: LexicalIndex
    ) -> dict[Key, float]:
        """Exact best-window similarity of paragraphs the embedding search did not return."""
        windows = {key: lexical.window_ids(key) for key in keys}
        by_window = self.store.similarities(embedding, [i for ids in windows.values() for i in ids])
        best: dict[Key, float] = {}
        for key, ids in windows.items():
            found = [by_window[i] for i in ids if i in by_window]
            if found:
                best[key] = max(found)
        return best

    def _passages(
        self,
        ranked: list[Key],
        similarity: dict[Key, float],
        lexical_scores: dict[Key, float] | None = None,
        fused: dict[Key, float] | None = None,
    ) -> list[Passage]:
        paragraphs = self.store.paragraphs(ranked)
        passages = []
        for key in ranked:
            if key not in paragraphs:  # deleted by another process since the BM25 index was built
                continue
            passages.append(
                dataclasses.replace(
                    paragraphs[key],
                    score=round(similarity.get(key, 0.0), 4),
                    lexical_score=round(lexical_scores[key], 4) if lexical_scores else None,
                    fused_score=round(fused[key], 4) if fused else None,
                )
            )
        return passages
