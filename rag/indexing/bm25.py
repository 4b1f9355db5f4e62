"""The BM25 arm's index (bm25s): built from the stored paragraphs and their sentence windows,
saved beside the store with its revision, and brought up to date file by file after an ingest
(LexicalIndexes). Retrieval searches it (rag.retrieval.bm25)."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.indexing.collection_names import chroma_names
from rag.indexing.store import ParagraphStore
from rag.indexing.windows import window_id, windows_of
from rag.types import Paragraph

log = logging.getLogger(__name__)

# The parameters of the reference BM25 numbers in ../shared/README.md.
BM25_K1 = 0.9
BM25_B = 0.4
FORMAT = 3  # of the files a LexicalIndex saves


def bm25_of_texts(texts: Sequence[str]):
    """A bm25s index of ``texts``: lower-cased words, English stopwords removed, no stemming."""
    return _bm25_of_tokens(_tokens(list(texts)))


def query_tokens(query: str) -> list[str]:
    """The query's BM25 words; empty for a question made only of stop-words or punctuation."""
    import bm25s

    return bm25s.tokenize([query], return_ids=False, show_progress=False)[0]


def scores_of(index, tokens: list[str], documents: int) -> np.ndarray:
    """``index``'s BM25 score of every document; all zero when the query has no words
    (bm25s raises IndexError on an empty query)."""
    if not tokens:
        return np.zeros(documents)
    return index.get_scores(tokens)


def with_heading(heading: str | None, text: str) -> str:
    return f"{heading}\n{text}" if heading else text


def top(scores: np.ndarray, k: int) -> list[int]:
    """Indexes of the ``k`` highest positive scores, best first; ties in index order."""
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order if scores[i] > 0]


@dataclass(frozen=True)
class FileTokens:
    """One file's paragraphs as BM25 tokens, kept so the lexical arm is rebuilt after a change
    without reading, splitting or tokenising the files that did not change."""

    file_hash: str
    # per paragraph: its number, its window numbers, its tokens (title and heading included),
    # and the tokens of each of its sentence windows
    paragraphs: list[tuple[int, list[int], list[str], list[list[str]]]]

    @classmethod
    def of(cls, file_hash: str, paragraphs: Sequence[Paragraph], sentences_per_window: int):
        cuts = [windows_of(p, sentences_per_window) for p in paragraphs]
        texts = [with_heading(p.context, p.text) for p in paragraphs]
        window_texts = [w.text for cut in cuts for w in cut[1:] or cut]
        tokens = _tokens(texts + window_texts)
        paragraph_tokens, window_tokens = tokens[: len(texts)], iter(tokens[len(texts) :])
        return cls(
            file_hash,
            [
                (
                    p.paragraph,
                    [w.index for w in cut],
                    own,
                    [next(window_tokens) for _ in cut[1:] or cut],
                )
                for p, cut, own in zip(paragraphs, cuts, paragraph_tokens, strict=True)
            ],
        )


def _tokens(texts: list[str]) -> list[list[str]]:
    import bm25s

    if not texts:
        return []
    return [
        _interned(document)
        for document in bm25s.tokenize(texts, return_ids=False, show_progress=False)
    ]


def _bm25_of_tokens(documents: list[list[str]], k1: float = BM25_K1, b: float = BM25_B):
    """A bm25s index of documents given as token lists."""
    import bm25s
    from bm25s.tokenization import Tokenized

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(token, len(vocabulary)) for token in doc] for doc in documents]
    index = bm25s.BM25(k1=k1, b=b)
    index.index(Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
    return index


class LexicalIndex:
    """The lexical arm: BM25 over the stored paragraphs and over their sentence windows.

    A paragraph's score is its own BM25 score plus that of its best window, so a question
    whose words meet in one sentence beats one whose words are scattered over a long paragraph.
    Built from the stored paragraphs (embedded store or Chroma server), saved with the store's
    revision and every file's tokens; when the revision changes, only the changed files are
    read and tokenised again (see ``updated``).
    """

    def __init__(
        self,
        revision: str,
        keys: list[tuple[str, int]],
        windows: list[list[int]],
        paragraphs,
        sentences,
        owners: np.ndarray,
        files: dict[str, FileTokens] | None = None,
        tokens_file: Path | None = None,
    ):
        self.revision = revision
        self.keys = keys  # paragraph i's (source, paragraph)
        self.windows = windows  # paragraph i's window numbers
        self._paragraphs = paragraphs  # bm25s index, one document per paragraph
        self._sentences = sentences  # bm25s index, one document per window
        self._owners = owners  # the paragraph index of each window document
        self._position = {key: i for i, key in enumerate(keys)}
        self._files = files  # loaded from tokens_file when first needed
        self._tokens_file = tokens_file

    @classmethod
    def empty(cls) -> LexicalIndex:
        return cls.of_files("", {})

    @classmethod
    def of_files(cls, revision: str, files: dict[str, FileTokens]) -> LexicalIndex:
        """The index of every file's stored tokens."""
        keys, windows, paragraph_docs, window_docs, owners = [], [], [], [], []
        for source in sorted(files):
            for number, window_numbers, tokens, window_tokens in files[source].paragraphs:
                owners.extend([len(keys)] * len(window_tokens))
                keys.append((source, number))
                windows.append(window_numbers)
                paragraph_docs.append(tokens)
                window_docs.extend(window_tokens)
        if not keys:
            return cls(revision, [], [], None, None, np.zeros(0, dtype=np.int64), files=files)
        return cls(
            revision,
            keys,
            windows,
            _bm25_of_tokens(paragraph_docs),
            _bm25_of_tokens(window_docs),
            np.asarray(owners, dtype=np.int64),
            files=files,
        )

    def updated(
        self,
        revision: str,
        file_hashes: dict[str, str],
        read_paragraphs: Callable[[list[str]], list[Paragraph]],
        sentences_per_window: int,
        known: dict[str, FileTokens] | None = None,
    ) -> LexicalIndex:
        """This index brought to ``revision``: files whose hash changed (or that are new) take
        their tokens from ``known`` or are read with ``read_paragraphs`` and tokenised; removed
        files are dropped; the tokens of every other file are reused. Then both BM25 indexes
        are rebuilt from tokens."""
        known = {s: t for s, t in (known or {}).items() if file_hashes.get(s) == t.file_hash}
        files = {
            source: tokens
            for source, tokens in self.file_tokens().items()
            if file_hashes.get(source) == tokens.file_hash and source not in known
        }
        reused = len(files)
        files |= known
        stale = sorted(set(file_hashes) - set(files))
        by_source: dict[str, list[Paragraph]] = {source: [] for source in stale}
        for paragraph in read_paragraphs(stale):
            by_source.setdefault(paragraph.source, []).append(paragraph)
        for source, paragraphs in by_source.items():
            paragraphs.sort(key=lambda p: p.paragraph)
            files[source] = FileTokens.of(file_hashes[source], paragraphs, sentences_per_window)
        log.info("BM25 arm: %d file(s) re-tokenised, %d reused", len(files) - reused, reused)
        return LexicalIndex.of_files(revision, files)

    def file_tokens(self) -> dict[str, FileTokens]:
        if self._files is None:
            self._files = _load_tokens(self._tokens_file)
        return self._files

    def scores(self, query: str) -> np.ndarray:
        """Every paragraph's lexical score for ``query``, in ``keys`` order."""
        if not self.keys:
            return np.zeros(0)
        tokens = query_tokens(query)
        best_window = np.zeros(len(self.keys))
        windows = scores_of(self._sentences, tokens, len(self._owners))
        np.maximum.at(best_window, self._owners, windows)
        return scores_of(self._paragraphs, tokens, len(self.keys)) + best_window

    def best(
        self, scores: np.ndarray, n: int, sources: frozenset[str] | None = None
    ) -> list[tuple[str, int]]:
        """The ``n`` paragraphs with the highest positive ``scores``, best first; only those
        of ``sources`` when given (the others are set aside before ranking)."""
        if sources is not None:
            scores = np.where(self._of_sources(sources), scores, 0.0)
        return [self.keys[i] for i in top(scores, n)]

    def _of_sources(self, sources: frozenset[str]) -> np.ndarray:
        """Whether each paragraph belongs to one of ``sources``."""
        numbers, ids = self._source_ids
        wanted = [numbers[s] for s in sources if s in numbers]
        return np.isin(ids, np.asarray(wanted, dtype=np.int64))

    @functools.cached_property
    def _source_ids(self) -> tuple[dict[str, int], np.ndarray]:
        """A number for each source, and each paragraph's source number."""
        numbers: dict[str, int] = {}
        ids = [numbers.setdefault(source, len(numbers)) for source, _ in self.keys]
        return numbers, np.asarray(ids, dtype=np.int64)

    def score_of(self, scores: np.ndarray, key: tuple[str, int]) -> float:
        position = self._position.get(key)
        return float(scores[position]) if position is not None else 0.0

    def window_ids(self, key: tuple[str, int]) -> list[str]:
        position = self._position.get(key)
        if position is None:
            return [window_id(*key, 0)]
        return [window_id(*key, w) for w in self.windows[position]]

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` atomically (a reader sees the old or the new one)."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        if self.keys:
            self._paragraphs.save(str(staging / "paragraphs"), show_progress=False)
            self._sentences.save(str(staging / "windows"), show_progress=False)
        np.save(staging / "owners.npy", self._owners)
        tokens = {
            source: {"hash": f.file_hash, "paragraphs": f.paragraphs}
            for source, f in self.file_tokens().items()
        }
        (staging / "tokens.json").write_text(json.dumps(tokens), encoding="utf-8")
        meta = {
            "format": FORMAT,
            "revision": self.revision,
            "keys": self.keys,
            "windows": self.windows,
        }
        (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        retired = directory.with_name(f"{directory.name}.old-{os.getpid()}")
        if directory.exists():
            directory.rename(retired)
        staging.rename(directory)
        shutil.rmtree(retired, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The index saved in ``directory``, or None when there is none readable."""
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                return None
            keys = [tuple(key) for key in meta["keys"]]
            owners = np.load(directory / "owners.npy")
            tokens_file = directory / "tokens.json"
            if not tokens_file.exists():
                return None
            if not keys:
                return cls(meta["revision"], [], [], None, None, owners, tokens_file=tokens_file)
            import bm25s

            logging.getLogger("bm25s").setLevel(logging.WARNING)
            return cls(
                meta["revision"],
                keys,
                meta["windows"],
                bm25s.BM25.load(str(directory / "paragraphs"), show_progress=False),
                bm25s.BM25.load(str(directory / "windows"), show_progress=False),
                owners,
                tokens_file=tokens_file,
            )
        except (OSError, ValueError, KeyError) as error:
            log.info("no usable lexical index in %s (%s); rebuilding it", directory, error)
            return None


def _load_tokens(path: Path | None) -> dict[str, FileTokens]:
    """The per-file tokens saved beside an index (none: every file is re-read on update)."""
    if path is None:
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.info("no usable BM25 tokens in %s (%s); files will be re-read", path, error)
        return {}
    return {
        source: FileTokens(
            item["hash"],
            [
                (number, windows, _interned(tokens), [_interned(w) for w in window_tokens])
                for number, windows, tokens, window_tokens in item["paragraphs"]
            ],
        )
        for source, item in saved.items()
    }


def _interned(tokens: list[str]) -> list[str]:
    """One string object per distinct word: a corpus repeats a few thousand words millions of
    times."""
    return [sys.intern(token) for token in tokens]


class LexicalIndexes:
    """The BM25 index of one store's current content: kept in memory, else loaded from disk,
    else brought up to date from the store's records of the files that changed (after an
    ingest, here or in another process) and saved. Questions run in parallel; one updates it."""

    def __init__(self, store: ParagraphStore, settings: Settings):
        self.store = store
        self.settings = settings
        self._current: LexicalIndex | None = None
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        return self.directory_for(self.settings)

    @staticmethod
    def directory_for(settings: Settings) -> Path:
        """Where the BM25 arm of the collection ``settings`` names is saved."""
        return settings.index_dir / "lexical" / chroma_names(settings.collection).records

    def current(self, known: dict[str, FileTokens] | None = None) -> LexicalIndex | None:
        """The index for the store's revision (None for an empty store). ``known``: the tokens
        of files just written, by source, so they need not be read back from the store."""
        revision = self.store.revision()
        if revision is None:
            return None
        if self._current is not None and self._current.revision == revision:
            return self._current
        with self._lock:
            if self._current is not None and self._current.revision == revision:
                return self._current  # brought up to date by another question meanwhile
            return self._updated(revision, known)

    def _updated(self, revision: str, known: dict[str, FileTokens] | None) -> LexicalIndex:
        index = LexicalIndex.load(self.directory)
        if index is None or index.revision != revision:
            log.info("updating the BM25 index of %s", self.store.location)
            base = index or self._current or LexicalIndex.empty()
            index = base.updated(
                revision,
                self.store.file_hashes(),
                self.store.file_paragraphs,
                self.settings.window_sentences,
                known,
            )
            index.save(self.directory)
        self._current = index
        return index
