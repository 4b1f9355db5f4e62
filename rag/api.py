"""The public Python API: everything else (CLI, web chat, evals) calls these.

import rag
report = rag.ingest(["corpus/"], index_dir="index/")
bot = rag.open(index_dir="index/")
bot.retrieve("question", k=5); bot.ask("question"); bot.chat().ask("follow-up")
bot.ask("question", only=["manuals/*.html"])  # from the chosen documents only
rag.open(collection="contracts")  # one of the index's collections
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answering.factory import available_generators, generator_name
from rag.config import Settings, load_settings
from rag.errors import InputPathError, QuestionError
from rag.retrieval.scope import Scope, Selection
from rag.types import Answer, FileReport, FilesAdded, IngestReport, Passage, Waiting

if TYPE_CHECKING:
    from rag.indexing.embedder import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    corpus_dir: str
    embed_model: str
    documents: int
    paragraphs: int


@dataclass(frozen=True)
class IndexInfo:
    location: str
    store: str
    embed_model: str
    generator: str
    documents: dict[str, int]  # source -> paragraphs
    # what was read from each listed file (tables, pages OCR'd, what was left out), those
    # that gave no text included
    files: list[FileReport] = dataclasses.field(default_factory=list)
    collection: str = "default"
    corpus_dir: str = ""

    @property
    def paragraphs(self) -> int:
        return sum(self.documents.values())

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"paragraphs": self.paragraphs}


class Bot:
    """An open index with its embedding model, retriever and answer generator."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        """The bot for ``settings``, with ``embedder`` (default: one made for them)."""
        from rag.indexing.bm25 import LexicalIndexes
        from rag.indexing.embedder import Embedder
        from rag.indexing.store import ParagraphStore

        self.settings = settings
        self.embedder = embedder or Embedder(settings)
        self.store = ParagraphStore(settings)
        self.lexical = LexicalIndexes(self.store, settings)
        self._corpus_lock = threading.Lock()  # one corpus change (upload) at a time
        # The same bot answering with other generators (with_generator), made once each.
        self._siblings: dict[str, Bot] = {}
        self._siblings_lock = threading.Lock()
        # (store revision, each file's modification time), read again when the index changes
        self._file_times: tuple[str | None, dict[str, float | None]] | None = None
        self._generators: dict[tuple, Any] = {}  # shared by siblings and collection bots
        self._generators_lock = threading.Lock()
        # The same bot on the index's other collections (in_collection), made once each.
        self._collections: dict[str, Bot] = {settings.collection: self}

    def collection_names(self) -> list[str]:
        """Every collection of this bot's index, the default first."""
        from rag.indexing.collections import CollectionRegistry

        return CollectionRegistry(self.settings).names()

    def in_collection(self, name: str) -> Bot:
        """This bot on collection ``name`` of the same index, with that collection's recorded
        settings (corpus folder, embedding model, ...); it shares this bot's generator, and its
        embedding model when the collection uses the same one. Made once per name; a
        CollectionError when there is no such collection."""
        from rag.indexing.collections import collection_settings

        with self._siblings_lock:
            found = self._collections.get(name)
            if found is not None:
                return found
            settings = collection_settings(self.settings.replace(collection=name))
            same_model = (settings.embed_model, settings.window_sentences) == (
                self.settings.embed_model,
                self.settings.window_sentences,
            )
            bot = Bot(settings, self.embedder if same_model else None)
            # one family: its generators (a local model is loaded once) and its collection bots
            bot._generators, bot._generators_lock = self._generators, self._generators_lock
            bot._collections, bot._siblings_lock = self._collections, self._siblings_lock
            self._collections[name] = bot
            return bot

    @cached_property
    def generator(self) -> str:
        """The name of the generator this bot answers with ("auto" resolved)."""
        return generator_name(self.settings)

    @cached_property
    def _available_generators(self) -> list[str]:
        return available_generators(self.settings)  # what is installed: fixed while running

    def generators(self) -> list[str]:
        """Every generator this bot can answer with (see ``with_generator``)."""
        names = self._available_generators
        return list(names) if self.generator in names else [self.generator, *names]

    def with_generator(self, name: str) -> Bot:
        """This bot answering with generator ``name``: the same index, embedding model and
        retriever (and corpus lock); its generator is made on first use, once."""
        if name == self.generator:
            return self
        with self._siblings_lock:
            sibling = self._siblings.get(name)
            if sibling is None:
                sibling = copy.copy(self)  # shares the store, embedder, retriever and locks
                sibling.settings = self.settings.replace(generator=name)
                for own in ("_generator", "generator"):
                    sibling.__dict__.pop(own, None)
                self._siblings[name] = sibling
            return sibling

    @cached_property
    def _retriever(self):
        from rag.retrieval.retriever import make_retriever

        self.store.check_backend()
        return make_retriever(self.settings, self.store, self.embedder, self.lexical)

    @cached_property
    def _generator(self):
        """Made once per generator and embedding model for the bot and every sibling and
        collection bot made from it (a local model is loaded once, whatever the collection)."""
        from rag.answering.factory import make_generator

        key = (self.generator, self.settings.embed_model, self.settings.window_sentences)
        with self._generators_lock:
            if key not in self._generators:
                self._generators[key] = make_generator(self.settings, self.embedder)
            return self._generators[key]

    def ingest(
        self, paths: Iterable[str | Path] | None = None, progress: bool = False
    ) -> IngestReport:
        """Make the index mirror ``paths`` (default: the corpus directory)."""
        from rag.indexing.ingest import ingest

        paths = list(paths) if paths is not None else [self.settings.corpus_dir]
        return ingest(
            paths, self.settings, self.embedder, self.store, self.lexical, progress=progress
        )

    def build_if_empty(self, on_build: Callable[[], None] | None = None) -> bool:
        """Build the index from the corpus directory when it is empty (``on_build`` is told
        first); whether it was built."""
        if not self.store.is_empty():
            return False
        if not self.settings.corpus_dir.exists():
            raise InputPathError(
                f"the index is empty and the corpus directory {self.settings.corpus_dir} "
                "does not exist"
            )
        log.warning("index is empty: building it from %s", self.settings.corpus_dir)
        if on_build is not None:
            on_build()
        self.ingest()
        return True

    def add_files(self, paths: Iterable[str | Path]) -> FilesAdded:
        """Copy files into the corpus directory and re-index it, one addition at a time; when
        re-indexing fails (a RagError, raised) the corpus and the index are left as they were.
        Unsupported or too large files (``upload_max_mb``) are left out, each with a reason."""
        from rag.indexing.uploads import add_to_corpus

        with self._corpus_lock:
            return add_to_corpus(
                paths, Path(self.settings.corpus_dir), self.settings.upload_max_mb, self.ingest
            )

    def remove_files(self, sources: Iterable[str]) -> IngestReport:
        """Delete documents (their paths as ``info().documents`` names them) from the corpus
        directory and from the index, one corpus change at a time; an unknown name
        (DocumentNotFoundError) or a failed re-index (raised) leaves both as they were."""
        from rag.indexing.uploads import remove_from_corpus

        with self._corpus_lock:
            return remove_from_corpus(sources, Path(self.settings.corpus_dir), self.ingest)

    def validate_question(self, question: str) -> str:
        """The question as asked, without what no reader can see (control and format
        characters, broken UTF-16 halves); a QuestionError when nothing, or too much, is left."""
        text = (question or "").encode("utf-8", "replace").decode("utf-8")
        text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
        if not text:
            raise QuestionError("the question is empty")
        if len(text) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is too long ({len(text)} characters; "
                f"the limit is {self.settings.max_question_chars})"
            )
        return text

    def select(self, scope: Scope | None) -> Selection | None:
        """The indexed documents ``scope`` chooses (None: every document); a ScopeError when
        it chooses none."""
        from rag.retrieval.scope import select

        if scope is None:
            return None
        revision = self.store.revision()
        cached = self._file_times
        if cached is None or cached[0] != revision or revision is None:
            cached = self._file_times = (revision, self.store.modification_times())
        return select(scope, cached[1])

    def _sources_of(self, selection: Selection | None) -> frozenset[str] | None:
        """What the retrievers search: None (everything) also when the scope chose every
        document, which costs a filter nothing."""
        if selection is None or len(selection.sources) == selection.total:
            return None
        return selection.sources

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        only: Iterable[str] | None = None,
        scope: Scope | None = None,
    ) -> list[Passage]:
        """The ``k`` paragraphs most relevant to ``question``, best first; from the documents
        ``only`` names (files, folders, glob patterns) and ``scope`` filters, when given."""
        question = self.validate_question(question)
        sources = self._sources_of(self.select(_scope(only, scope)))
        return self._retriever.retrieve(question, k or self.settings.top_k, sources)

    def ask(
        self, question: str, only: Iterable[str] | None = None, scope: Scope | None = None
    ) -> Answer:
        """Answer one question from the documents, with citations, or refuse. With ``only``
        (paths, folders or glob patterns, as ``info().documents`` names the documents) or
        ``scope`` (rag.Scope: also types, folders, modification times), the answer, its
        citations and a refusal come from the chosen documents only."""
        question = self.validate_question(question)
        return self.answer(question, question, _scope(only, scope))

    def ask_stream(
        self, question: str, only: Iterable[str] | None = None, scope: Scope | None = None
    ) -> Iterator[str | Waiting | Answer]:
        """Like ``ask``, but yield the answer's text as it is generated, then the final Answer
        (verified: its text can differ from what was streamed). ``Waiting`` items come first
        while other questions have the model."""
        question = self.validate_question(question)
        return self.answer_stream(question, question, _scope(only, scope))

    def answer(self, question: str, query: str, scope: Scope | None = None) -> Answer:
        """Answer ``question`` retrieving with ``query`` (its standalone form in a chat)."""
        *_, answer = self.answer_stream(question, query, scope)
        return answer

    def answer_stream(
        self, question: str, query: str, scope: Scope | None = None
    ) -> Iterator[str | Waiting | Answer]:
        from rag.answering.compose import REFUSAL_TEXT, refusal_text

        started = time.perf_counter()
        selection = self.select(scope)
        passages = self.evidence_for(query, self._sources_of(selection))
        retrieval = time.perf_counter() - started
        for item in self._generator.stream(query, passages):
            if isinstance(item, Answer):
                answer = item
            else:
                yield item
        if selection is not None and answer.refused and answer.text == REFUSAL_TEXT:
            answer = dataclasses.replace(answer, text=refusal_text(selection.where))
        first_token = answer.first_token_seconds
        yield dataclasses.replace(
            answer,
            question=question,
            query=query,
            seconds=round(time.perf_counter() - started, 4),
            retrieval_seconds=round(retrieval, 4),
            first_token_seconds=round(first_token + retrieval, 4) if first_token else None,
        )

    def evidence_for(self, query: str, sources: frozenset[str] | None = None) -> list[Passage]:
        """The passages a generator answers ``query`` from (only those of ``sources`` when
        given): the retrieved ones; more of them for a list or a comparison (and each side's
        own); for a summary, every paragraph of the documents to summarise."""
        from rag.answering.kinds import COMPARISON, LIST, SUMMARY, kind_of

        kind = kind_of(query)
        if kind.kind == SUMMARY:
            return self.summary_passages(query, sources)
        k = self.settings.top_k * (2 if kind.kind in (LIST, COMPARISON) else 1)
        passages = self._retrieve_trusted(query, k, sources)
        for side in kind.sides:  # each side of a comparison, retrieved on its own too
            known = {(p.source, p.paragraph) for p in passages}
            passages += [
                p
                for p in self._retrieve_trusted(side, self.settings.top_k, sources)
                if (p.source, p.paragraph) not in known
            ]
        return passages

    def _retrieve_trusted(
        self, query: str, k: int, sources: frozenset[str] | None = None
    ) -> list[Passage]:
        passages = self._retriever.retrieve(query, k, sources)
        set_aside = sum(p.untrusted for p in passages)
        if set_aside:  # documents that instruct an AI are never evidence: take as many more
            passages = self._retriever.retrieve(query, k + set_aside, sources)
        return passages

    def summary_passages(self, query: str, sources: frozenset[str] | None = None) -> list[Passage]:
        """Every paragraph of the documents a summary request is about (of ``sources`` when
        given), in document order: the only document; else the one the request names (the
        best retrieved for its subject words); else, for "Summarize the documents", every
        document."""
        from rag.answering.synthesis import summary_subject

        chosen = sources
        sources = sorted(s for s in self.store.paragraph_counts() if not chosen or s in chosen)
        retrieved = self._retrieve_trusted(query, self.settings.top_k, chosen)
        if len(sources) > 1 and summary_subject(query) and retrieved:
            weight: dict[str, float] = {}
            for passage in retrieved:
                score = passage.fused_score if passage.fused_score is not None else passage.score
                weight[passage.source] = weight.get(passage.source, 0.0) + score
            sources = [max(weight, key=weight.__getitem__)]
        sources = sources[: self.settings.summary_documents]
        scores = {(p.source, p.paragraph): p.score for p in retrieved}
        return [
            Passage.of(p, scores.get((p.source, p.paragraph), 0.0))
            for p in self.store.file_paragraphs(sources)
        ]

    def condense(self, question: str, history: list[Answer]) -> str:
        """The standalone form of a follow-up (see rag.chat.condense): rewritten by the LLM
        generator when there is one and ``llm_condense`` is on, else by the heuristic."""
        from rag.chat import condense

        generator = self._generator
        rewriter = generator if generator.condenses and self.settings.llm_condense else None
        return condense(question, history, rewriter, self.settings.max_question_chars)

    def chat(self):
        """A multi-turn session whose follow-ups are made standalone before retrieval."""
        from rag.chat import ChatSession

        return ChatSession(self)

    def info(self) -> IndexInfo:
        return IndexInfo(
            location=self.store.location,
            store="Chroma server" if self.settings.chroma_url else "embedded Chroma",
            embed_model=self.settings.embed_model,
            generator=self.generator,
            documents=self.store.paragraph_counts(),
            files=self.store.file_reports(),
            collection=self.settings.collection,
            corpus_dir=str(self.settings.corpus_dir),
        )


def _scope(only: Iterable[str] | None, scope: Scope | None) -> Scope | None:
    """``scope`` with ``only``'s paths (either may be None)."""
    from rag.retrieval.scope import Scope

    if only is None:
        return scope
    paths = Scope.of(only=only).only
    return dataclasses.replace(scope, only=paths) if scope else Scope(only=paths)


def _loaded(index_dir: str | Path | None, overrides: dict[str, Any]) -> tuple[Settings, set]:
    """The settings, and the names of those given explicitly (they beat a collection's)."""
    config_file = overrides.pop("config_file", None)
    explicit = {key for key, value in overrides.items() if value is not None}
    if index_dir is not None:
        explicit.add("index_dir")
    return load_settings(config_file, index_dir=index_dir, **overrides), explicit


def _settings(index_dir: str | Path | None, overrides: dict[str, Any]) -> Settings:
    from rag.indexing.collections import collection_settings

    settings, explicit = _loaded(index_dir, overrides)
    return collection_settings(settings, keep=explicit)


def collection_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """``load_settings``, then the recorded settings of the collection they name (its corpus
    folder, embedding model, ...) over them, except those given in ``overrides``."""
    return _settings(None, {"config_file": config_file, **overrides})


def open(index_dir: str | Path | None = None, build: bool = True, **settings: Any) -> Bot:  # noqa: A001
    """Open the index (``collection="NAME"``: one of its collections; default: "default");
    when it is empty and ``build`` is true, build it from the corpus first. A
    CollectionError when there is no such collection."""
    bot = Bot(_settings(index_dir, settings))
    if build:
        bot.build_if_empty()
    return bot


def ingest(
    paths: Iterable[str | Path] | None = None,
    index_dir: str | Path | None = None,
    progress: bool = False,
    **settings: Any,
) -> IngestReport:
    """Index the documents under ``paths`` (default: the corpus directory) into ``index_dir``,
    or into its collection ``collection="NAME"``, created when there is none (its corpus
    folder: the one directory ``paths`` name, else ``corpus_dir``)."""
    from rag.indexing.collections import (
        CollectionRegistry,
        check_name,
        collection_settings,
        recorded_settings,
    )

    loaded, explicit = _loaded(index_dir, settings)
    registry = CollectionRegistry(loaded)
    if registry.find(check_name(loaded.collection)) is None:
        paths = list(paths) if paths is not None else None
        folders = [Path(p) for p in paths or [] if Path(p).is_dir()]
        corpus = folders[0] if paths and len(paths) == 1 and folders else loaded.corpus_dir
        registry.create(loaded.collection, recorded_settings(loaded) | {"corpus_dir": corpus})
        log.warning("created collection %r (corpus folder %s)", loaded.collection, corpus)
    bot = Bot(collection_settings(loaded, keep=explicit))
    return bot.ingest(paths, progress=progress)


def collections(index_dir: str | Path | None = None, **settings: Any) -> list[CollectionInfo]:
    """Every collection of the index, the default first, with its corpus folder and size."""
    from rag.indexing.collections import CollectionRegistry, collection_settings
    from rag.indexing.store import ParagraphStore

    loaded, explicit = _loaded(index_dir, settings)
    found = []
    for name in CollectionRegistry(loaded).names():
        resolved = collection_settings(loaded.replace(collection=name), keep=explicit)
        counts = ParagraphStore(resolved).paragraph_counts()
        found.append(
            CollectionInfo(
                name,
                str(resolved.corpus_dir),
                resolved.embed_model,
                len(counts),
                sum(counts.values()),
            )
        )
    return found


def create_collection(
    name: str, index_dir: str | Path | None = None, **settings: Any
) -> CollectionInfo:
    """Create collection ``name`` in the index, recording its settings (``corpus_dir``,
    ``embed_model``, ``window_sentences``, ``ocr_language``, ``table_max_rows``; unset: the
    configured ones); a CollectionError when it exists or the name cannot be used."""
    from rag.indexing.collections import CollectionRegistry, recorded_settings

    loaded, _ = _loaded(index_dir, settings)
    collection = CollectionRegistry(loaded).create(name, recorded_settings(loaded))
    return CollectionInfo(name, str(collection.corpus_dir), loaded.embed_model, 0, 0)


def delete_collection(name: str, index_dir: str | Path | None = None, **settings: Any) -> None:
    """Delete collection ``name``: its records, manifest and BM25 arm (its corpus folder and
    every other collection stay as they are)."""
    from rag.indexing.collections import delete_collection as delete

    loaded, _ = _loaded(index_dir, settings)
    delete(loaded.replace(collection=name))
