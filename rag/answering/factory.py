"""The one place a generator is chosen by name: the only module that knows both generators."""

from __future__ import annotations

import logging

from rag.answering.evidence import SentenceScorer
from rag.answering.extractive import ExtractiveGenerator
from rag.answering.protocol import ChatModel, Generator
from rag.config import Settings
from rag.errors import ConfigError
from rag.indexing.embedder import Embedder

log = logging.getLogger(__name__)


def extractive_generator(settings: Settings, embedder: Embedder) -> ExtractiveGenerator:
    """The quoting generator with its own scorer."""
    return ExtractiveGenerator(settings, embedder, SentenceScorer(settings, embedder))


def model_generator(
    name: str, settings: Settings, embedder: Embedder, model: ChatModel
) -> Generator:
    """An LLM generator over ``model``, quoting with the extractive generator where it must."""
    from rag.answering.llm import LLMGenerator

    scorer = SentenceScorer(settings, embedder)  # one scorer for the model and its quoting
    quoting = ExtractiveGenerator(settings, embedder, scorer)
    return LLMGenerator(name, settings, embedder, model, scorer, quoting)


def _local(settings: Settings, embedder: Embedder) -> Generator:
    from rag.answering.models.llama_cpp import LocalChatModel
    from rag.answering.prompt import answer_opening

    model = LocalChatModel(settings, opening=answer_opening())
    return model_generator("local", settings, embedder, model)


def _openai(settings: Settings, embedder: Embedder) -> Generator:
    from rag.answering.models.openai_compatible import OpenAIChatModel

    return model_generator("openai", settings, embedder, OpenAIChatModel(settings))


GENERATORS = {"extractive": extractive_generator, "local": _local, "openai": _openai}


def local_llm_available(settings: Settings) -> bool:
    """Whether the local generator can run: its runtime and a model are installed."""
    from rag.answering.models.llama_cpp import local_runtime_installed
    from rag.answering.models.packaged_model import parts_installed

    return local_runtime_installed() and (bool(settings.llm_model) or parts_installed())


def generator_name(settings: Settings) -> str:
    """The generator that ``settings.generator`` selects ("auto" resolved)."""
    if settings.generator != "auto":
        return settings.generator
    if local_llm_available(settings):
        return "local"
    log.warning("no local LLM installed (xllamacpp + model): answering with the extractive one")
    return "extractive"


def available_generators(settings: Settings) -> list[str]:
    """The generators that can answer with these settings: the quoting one always, the local
    model when it is installed, an OpenAI-compatible server when one is configured."""
    names = ["extractive"]
    if local_llm_available(settings):
        names.append("local")
    if settings.llm_base_url:
        names.append("openai")
    return names


def make_generator(settings: Settings, embedder: Embedder) -> Generator:
    """The generator named in settings."""
    name = generator_name(settings)
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise ConfigError(
            f"unknown generator {name!r}; choose one of: auto, {', '.join(GENERATORS)}"
        ) from None
    return factory(settings, embedder)
