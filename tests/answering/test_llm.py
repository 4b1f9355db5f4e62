"""The LLM generators with the real packaged model (llama.cpp in this process) and a real
OpenAI-compatible HTTP server (the same llama.cpp, listening on loopback)."""

from __future__ import annotations

import pytest

import rag
from rag.answering.grounding import MARKERS
from tests.conftest import free_port, require_local_llm

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command


@pytest.fixture(scope="module")
def local_bot(article_corpus, tmp_path_factory):
    require_local_llm()
    index = tmp_path_factory.mktemp("llm-index")
    # two slots: two users' answers are decoded together; a third user waits half a second at
    # most, then is answered by quoting
    return rag.open(
        index_dir=index,
        corpus_dir=article_corpus,
        generator="local",
        llm_slots=2,
        llm_max_wait=0.5,
    )


def test_local_model_answers_with_a_verified_citation(local_bot):
    answer = local_bot.ask("Which country hosted the latest round of peace talks?")
    assert not answer.refused and answer.generator.startswith("local")
    assert "Saudi Arabia" in answer.text
    assert [c.paragraph for c in answer.citations][:1] == [2]
    numbers = {int(n) for group in MARKERS.findall(answer.text) for n in group.split(",")}
    assert numbers == set(range(1, len(answer.citations) + 1))  # every marker points somewhere
    assert 0 < answer.retrieval_seconds < answer.first_token_seconds <= answer.seconds


def test_local_model_refuses_without_markers(local_bot):
    answer = local_bot.ask("What did Joe Biden say about the ceasefire?")
    assert answer.refused, answer.text
    assert answer.citations == [] and "[" not in answer.text


def test_follow_up_is_rewritten_by_the_model_and_answered(local_bot):
    session = local_bot.chat()
    session.ask("Who is the Kremlin spokesperson?")
    answer = session.ask("What did he say?")
    assert answer.query != "What did he say?"  # the standalone question that was retrieved with
    assert "scrutinizing" in answer.text and not answer.refused


def test_ask_stream_yields_text_then_the_final_answer(local_bot):
    items = list(local_bot.ask_stream("Who is the Kremlin spokesperson?"))
    *pieces, answer = items
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert isinstance(answer, rag.Answer) and "Peskov" in "".join(pieces)
    assert "Dmitry Peskov" in answer.text


def test_two_users_stream_at_once_and_stop_on_one_leaves_the_other(local_bot):
    """With two slots both answers are written together; one user's Stop (closing the stream)
    ends only that answer, and the other is whole and checked."""
    import threading
    import time

    heard: dict[str, list[float]] = {"stopper": [], "reader": []}
    stopped_at: list[float] = []
    answers: dict[str, rag.Answer] = {}

    def stopper() -> None:
        stream = local_bot.ask_stream("Which country hosted the latest round of peace talks?")
        for item in stream:
            if isinstance(item, str):
                heard["stopper"].append(time.monotonic())
                if len(heard["stopper"]) == 4:
                    stream.close()  # what Stop does
                    stopped_at.append(time.monotonic())
                    return

    def reader() -> None:
        for item in local_bot.ask_stream("Who is the Kremlin spokesperson?"):
            if isinstance(item, str):
                heard["reader"].append(time.monotonic())
            elif isinstance(item, rag.Answer):
                answers["reader"] = item

    threads = [threading.Thread(target=stopper), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert stopped_at and heard["reader"], heard
    # written together, not one after the other: each wrote while the other was writing
    assert max(heard["stopper"][0], heard["reader"][0]) < min(stopped_at[0], heard["reader"][-1])
    answer = answers["reader"]
    assert not answer.refused and "Dmitry Peskov" in answer.text and answer.citations
    after = local_bot.ask("Which country hosted the latest round of peace talks?")
    assert "Saudi Arabia" in after.text  # the stopped slot is free again


def test_a_question_that_would_wait_for_a_busy_model_is_answered_by_quoting(local_bot):
    """Both slots are writing other users' answers: the third user does not wait behind them
    but gets the quoting generator's cited answer at once, and theirs are unharmed."""
    import threading

    writing = threading.Barrier(3, timeout=120)
    answers: dict[str, rag.Answer] = {}

    def writer(name: str, question: str) -> None:
        first = True
        for item in local_bot.ask_stream(question):
            if isinstance(item, str) and first:
                first = False
                writing.wait()
            elif isinstance(item, rag.Answer):
                answers[name] = item

    threads = [
        threading.Thread(target=writer, args=("a", "Who is the Kremlin spokesperson?")),
        threading.Thread(target=writer, args=("b", "What position does Marco Rubio hold?")),
    ]
    for thread in threads:
        thread.start()
    writing.wait()  # both slots are writing now
    items = list(local_bot.ask_stream("Which country hosted the latest round of peace talks?"))
    for thread in threads:
        thread.join(timeout=300)
    quoted = items[-1]
    assert quoted.generator == "local+extractive", quoted.generator
    assert not quoted.refused and "Saudi Arabia" in quoted.text and quoted.citations
    assert "Dmitry Peskov" in answers["a"].text
    assert "Secretary of State" in answers["b"].text


def test_openai_generator_against_a_real_loopback_server(local_bot, article_corpus, tmp_path):
    from rag.answering.models.llama_cpp import LocalChatModel

    server = LocalChatModel(local_bot.settings)  # llama.cpp serves the OpenAI API on loopback
    bot = rag.open(
        index_dir=tmp_path / "index",
        corpus_dir=article_corpus,
        generator="openai",
        llm_base_url=f"{server.listening_address}/v1",
    )
    answer = bot.ask("Which country hosted the latest round of peace talks?")
    assert answer.generator.startswith("openai") and "Saudi Arabia" in answer.text
    assert answer.citations and answer.citations[0].paragraph == 2


def test_openai_server_down_is_a_one_line_error(article_corpus, tmp_path):
    bot = rag.open(
        index_dir=tmp_path / "index",
        corpus_dir=article_corpus,
        generator="openai",
        llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
    )
    with pytest.raises(rag.RagError, match=r"cannot reach the LLM server at http://127\.0\.0\.1"):
        bot.ask("Which country hosted the latest round of peace talks?")


def _first_answer_timings(model, messages: list[dict]) -> dict:
    """llama.cpp's timings of one answer from ``model``'s loopback OpenAI API (``cache_n``: the
    prompt tokens it did not have to read)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{model.listening_address}/v1/chat/completions",
        data=json.dumps({"messages": messages, "max_tokens": 12, "temperature": 0}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())["timings"]


def test_a_new_model_starts_from_the_saved_system_prompt_and_survives_a_damaged_one(
    local_bot, tmp_path, caplog
):
    from rag.answering.models.llama_cpp import LocalChatModel, local_model_path
    from rag.answering.prompt import answer_opening

    settings = local_bot.settings.replace(
        llm_model=str(local_model_path(local_bot.settings)), model_cache_dir=tmp_path, llm_slots=1
    )
    opening = answer_opening()
    question = [
        *opening,
        {
            "role": "user",
            "content": "Passages:\n\n[1] Talks were held in Riyadh."
            "\n\nQuestion: Where were the talks held?",
        },
    ]
    LocalChatModel(settings, opening=opening)  # the first start reads the opening and saves it
    [state] = (tmp_path / "opening-states").glob("*.bin")

    restored = _first_answer_timings(LocalChatModel(settings, opening=opening), question)
    assert restored["cache_n"] >= 100  # the system prompt was not read again

    state.write_bytes(b"not a saved state")
    damaged = LocalChatModel(settings, opening=opening)
    assert "opening state was not restored" in caplog.text
    assert _first_answer_timings(damaged, question)["prompt_n"] > 100  # read it afresh, answered
    assert not state.exists()  # and saved anew by the next start
