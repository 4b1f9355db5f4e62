from pathlib import Path

import pytest

from rag.config import load_settings
from rag.errors import ConfigError


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.index_dir == Path("index") and settings.generator == "auto"


def test_keyword_beats_environment_beats_toml(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rag.toml").write_text(
        'top_k = 3\ngenerator = "extractive"\nindex_dir = "from-toml"\n'
    )
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_INDEX_DIR", "from-env")
    settings = load_settings(index_dir="from-kwarg")
    assert settings.top_k == 7
    assert settings.index_dir == Path("from-kwarg")
    assert load_settings().index_dir == Path("from-env")


def test_bad_values_are_clear_errors(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_TOP_K", "many")
    with pytest.raises(ConfigError, match="top_k"):
        load_settings()
    monkeypatch.delenv("RAG_TOP_K")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(colour="blue")


def test_network_is_silenced_on_import():
    import os

    import rag  # noqa: F401

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
