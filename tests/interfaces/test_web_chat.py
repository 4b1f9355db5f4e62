"""The web chat through its API (gradio_client) and in a real headless Chromium (playwright)."""

from __future__ import annotations

import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import rag
from tests.conftest import ARTICLE, ROOT, free_port, require_local_llm, run_rag
from tests.interfaces.test_fuzz import questions as fuzzed_questions
from ui.app import serve

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command

QUESTION = "Which country hosted the latest round of peace talks?"
HOSTILE = (
    "The lighthouse keeper Ingrid Solberg wrote <script>window.__pwned = 1</script> "
    '<img src=x onerror="window.__pwned = 2"> and **bold** [a link](javascript:alert(1)) here, '
    "with https://evil.example/track beside it. Her logo ![pixel](http://evil.example/p.png) "
    "is shown below.\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("web")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    (work / "corpus" / "lighthouse.txt").write_text(HOSTILE)
    settings = rag.load_settings(
        corpus_dir=work / "corpus",
        index_dir=work / "index",
        upload_max_mb=1,
        generator="extractive",
    )
    port = free_port()
    app = serve(settings, port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    from gradio_client import Client

    client = Client(url, verbose=False)
    statuses = []
    while time.monotonic() < deadline:  # the index builds in the background on first start
        statuses.append(client.predict(api_name="/status")[0])
        if not statuses[-1]:
            break
        time.sleep(0.2)
    yield url, work, statuses
    app.close()


def test_first_start_says_it_is_building_the_index(server):
    statuses = server[2]
    assert any(s.startswith("Building the index from") for s in statuses), statuses
    assert statuses[-1] == ""  # ready: the banner is gone


def ask(client, question: str):
    _, history, sources, *_ = client.predict(question, api_name="/ask")
    return history[-1]["content"][0]["text"], sources


def test_api_answers_with_source_cards(server):
    from gradio_client import Client

    client = Client(server[0], verbose=False)
    text, sources = ask(client, QUESTION)
    assert "Saudi Arabia" in text and "(#source-1)" in text
    assert 'id="source-1"' in sources and "¶2" in sources and "<mark>" in sources
    assert re.search(r"similarity 0\.\d\d · BM25 \d+\.\d<", sources)
    assert "fused" not in sources  # normalised over the pool: meaningless to a reader


def test_api_refusal_shows_closest_passages(server):
    from gradio_client import Client

    text, sources = ask(Client(server[0], verbose=False), "What is the capital of Australia?")
    assert text.strip() == "**Not found in the documents.**"  # said once
    assert "Closest passages looked at" in sources


def test_api_document_text_is_escaped(server):
    from gradio_client import Client

    text, sources = ask(Client(server[0], verbose=False), "What did the lighthouse keeper write?")
    assert "<script>" not in sources and "&lt;script&gt;" in sources
    assert "<img" not in sources and "<script>" not in text


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# What a browser can send: text that is valid UTF-8 (a lone UTF-16 half is replaced on the way).
@given(question=fuzzed_questions.map(lambda q: q.encode("utf-8", "replace").decode("utf-8")))
def test_any_question_in_the_web_chat_ends_in_an_answer_a_refusal_or_one_line(server, question):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(server[0], verbose=False)
    try:
        _, history, *_ = client.predict(question, api_name="/ask")
    except AppError as error:  # shown as one line in the page
        assert str(error).strip() and "\n" not in str(error).strip()
        assert "Traceback" not in str(error)
        return
    assert history[-1]["role"] == "assistant"
    assert history[-1]["content"][0]["text"].strip()


def test_sessions_keep_separate_histories(server):
    from gradio_client import Client

    first, second = Client(server[0], verbose=False), Client(server[0], verbose=False)
    ask(first, "Who is the Kremlin spokesperson?")
    ask(second, "Which European nations voiced support for Ukraine's demands?")
    follow_up, _ = ask(first, "What did he say?")
    assert "scrutinizing the details" in follow_up


# --- in a real headless Chromium --------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = ROOT / "test-output"
UPLOADED = (
    "Harbour notes\n\nThe harbour master Tomasz Wielki counts forty-two fishing boats every "
    'morning. <img src=x onerror="window.__pwned = 3"> <b>not bold</b>\n'
)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs /usr/bin/chromium: apt-get install -y chromium")
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@contextmanager
def kept_on_failure(page, screenshot: str):
    """Close the page's browser context after the test; on a failure, keep a screenshot in
    test-output/ first."""
    try:
        yield
    except Exception:
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=OUTPUT / screenshot, full_page=True)
        raise
    finally:
        page.context.close()


def open_chat(browser, url: str, **context_options):
    page = browser.new_context(**context_options).new_page()
    page.goto(url)
    page.locator("#question textarea").wait_for()
    return page


def wait_for_final_answer(page, rows: int, timeout: float = 60_000) -> None:
    """Wait until the chat has ``rows`` answer bubbles and the last one is no longer a
    placeholder (searching, queued) or a draft the model is still writing."""
    page.wait_for_function(
        "([n, placeholders]) => { const rows = document.querySelectorAll('#chat .bot-row');"
        " if (rows.length < n) return false; const last = rows[rows.length - 1].innerText;"
        " return !placeholders.some((p) => last.includes(p)); }",
        arg=[rows, ["Searching the documents", "Queued:", "writing, then checked", "Waiting for"]],
        timeout=timeout,
    )


def ask_in_page(page, question: str) -> str:
    """Type a question, press Enter, and return the text of the answer bubble once it is final."""
    answers = page.locator("#chat .message-row.bot-row")
    before = answers.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    wait_for_final_answer(page, before + 1)
    page.wait_for_function(  # the submit event has finished: the box accepts the next question
        "() => !document.querySelector('#question textarea').disabled"
    )
    return answers.last.inner_text()


def test_browser_answer_follow_up_refusal_upload_and_no_script_runs(server, browser):
    url, work, _ = server
    page = open_chat(browser, url)
    with kept_on_failure(page, "web-chat-failure.png"):
        assert "Saudi Arabia" in ask_in_page(page, QUESTION)
        card = page.locator("#sources #source-1")
        assert "ukraine-russia-ceasefire-talks.txt ¶2" in card.inner_text()
        assert "Saudi Arabia hosting the latest round" in card.locator("mark").inner_text()
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=OUTPUT / "web-chat-answer.png", full_page=True)

        assert "Dmitry Peskov" in ask_in_page(page, "Who is the Kremlin spokesperson?")
        assert "scrutinizing the details" in ask_in_page(page, "What did he say?")

        refusal = ask_in_page(page, "What is the capital of Australia?")
        assert refusal.startswith("Not found in the documents")
        assert "could not find" not in refusal  # "not found" is said once
        assert "Closest passages looked at" in page.locator("#sources").inner_text()

        hostile = ask_in_page(page, "What did the lighthouse keeper Ingrid Solberg write?")
        assert "Ingrid Solberg" in hostile
        assert "<script>" in page.locator("#sources").inner_text()  # shown as text

        page.get_by_role("tab", name="Documents").click()
        upload = work / "upload" / "harbour notes.md"
        upload.parent.mkdir(exist_ok=True)
        upload.write_text(UPLOADED)
        page.locator("#upload input[type=file]").set_input_files(str(upload))
        page.locator("#upload-result").get_by_text("Added 1").wait_for(timeout=60_000)
        page.locator("#documents").get_by_text("harbour notes.md").wait_for()
        page.get_by_role("tab", name="Chat").click()
        boats = ask_in_page(page, "How many fishing boats does the harbour master count?")
        assert "forty-two" in boats
        assert "<b>not bold</b>" in page.locator("#sources").inner_text()
        assert page.locator("#sources b, #chat b, #sources img, #chat img").count() == 0
        assert page.evaluate("window.__pwned") is None
        assert "https://evil.example/track" in hostile  # quoted as text...
        outside = page.evaluate(  # ...but no link leads anywhere but to a source card
            """() => [...document.querySelectorAll('#chat a, #sources a')].map(a => a.href)
                .filter(h => !h.startsWith(location.origin + location.pathname + '#'))"""
        )
        assert outside == []

        page.get_by_role("tab", name="Documents").click()  # delete the upload again
        page.locator("#delete-choice input").click()
        page.get_by_role("option", name="harbour notes.md").click()
        page.locator("#delete").click()
        result = page.locator("#upload-result")
        result.get_by_text("Deleted harbour notes.md").wait_for(timeout=60_000)
        page.locator("#documents").get_by_text("harbour notes.md").wait_for(state="detached")
        assert not (work / "corpus" / "harbour notes.md").exists()
        page.get_by_role("tab", name="Chat").click()
        gone = ask_in_page(page, "How many fishing boats does the harbour master count?")
        assert gone.startswith("Not found in the documents")


def test_browser_sessions_are_separate_and_small_screens_fold_sources(server, browser):
    phone = open_chat(browser, server[0], viewport={"width": 390, "height": 844})
    desk = open_chat(browser, server[0])
    try:
        ask_in_page(phone, "Who is the Kremlin spokesperson?")
        ask_in_page(desk, "Which European nations voiced support for Ukraine's demands?")
        assert "scrutinizing the details" in ask_in_page(phone, "What did he say?")
        assert "European nations" not in phone.locator("#chat").inner_text()
        assert "Kremlin" not in desk.locator("#chat").inner_text()
        chat = phone.locator("#chat").bounding_box()
        sources = phone.locator("#sources").bounding_box()
        assert sources["y"] >= chat["y"] + chat["height"]  # folded under the answer
    finally:
        phone.context.close()
        desk.context.close()


def test_api_upload_rejects_bad_files_and_keeps_the_index(server, tmp_path):
    from gradio_client import Client, handle_file

    url, work, _ = server
    client = Client(url, verbose=False)
    before = sorted(p.name for p in (work / "corpus").iterdir())
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ")
    message = client.predict([handle_file(str(program))], api_name="/upload")
    assert message.startswith("Nothing added.") and "tool.exe: not a supported type" in message
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not really a PDF")
    message = client.predict([handle_file(str(broken))], api_name="/upload")
    assert message.startswith("Upload rejected, nothing changed:") and "report.pdf" in message
    too_big = tmp_path / "big.txt"
    too_big.write_text("word " * 300_000)
    with pytest.raises(Exception, match="max"):  # refused before it reaches the corpus
        client.predict([handle_file(str(too_big))], api_name="/upload")
    assert sorted(p.name for p in (work / "corpus").iterdir()) == before
    text, _ = ask(client, QUESTION)
    assert "Saudi Arabia" in text


def test_browser_each_answer_keeps_its_own_sources(server, browser):
    page = open_chat(browser, server[0])
    with kept_on_failure(page, "web-chat-sources-failure.png"):
        assert "Saudi Arabia" in ask_in_page(page, QUESTION)
        assert "Dmitry Peskov" in ask_in_page(page, "Who is the Kremlin spokesperson?")
        ask_in_page(page, "Which European nations voiced support for Ukraine's demands?")
        sources = page.locator("#sources")
        assert "¶2" not in sources.inner_text()  # the latest answer's sources are shown
        answers = page.locator("#chat .bot-row")
        answers.nth(0).locator("a", has_text="1").first.click()  # the first answer's [1]
        sources.get_by_text("Saudi Arabia hosting the latest round").wait_for(timeout=10_000)
        assert "ukraine-russia-ceasefire-talks.txt ¶2" in sources.inner_text()
        answers.nth(1).click()
        sources.locator("mark", has_text="Dmitry Peskov").wait_for(timeout=10_000)
        assert "¶6" in sources.inner_text()


def test_browser_reload_keeps_the_conversation_and_it_downloads_with_citations(server, browser):
    page = open_chat(browser, server[0])
    with kept_on_failure(page, "web-chat-reload-failure.png"):
        ask_in_page(page, QUESTION)
        ask_in_page(page, "Who is the Kremlin spokesperson?")
        page.reload()
        page.locator("#chat .bot-row").nth(1).get_by_text("Dmitry Peskov").first.wait_for(
            timeout=20_000
        )
        chat = page.locator("#chat").inner_text()
        assert QUESTION in chat and "Saudi Arabia" in chat
        assert "scrutinizing the details" in ask_in_page(page, "What did he say?")  # follow-up
        with page.expect_download() as download:
            page.locator("#download").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert f"## 1. {QUESTION}" in text and "## 3. What did he say?" in text
        assert "[1] ukraine-russia-ceasefire-talks.txt ¶2 (line 3)" in text
        assert "“Recent ceasefire discussions between Ukraine and Russia" in text


# --- with the local model, whose answers take seconds to write ------------------------------


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    require_local_llm()
    work = tmp_path_factory.mktemp("web-llm")
    (work / "corpus").mkdir()
    shutil.copy(ARTICLE, work / "corpus")
    settings = rag.load_settings(
        corpus_dir=work / "corpus", index_dir=work / "index", generator="local"
    )
    port = free_port()
    app = serve(settings, port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def open_loaded_chat(browser, url: str):
    """A chat page whose server has finished loading its models."""
    page = open_chat(browser, url)
    page.locator("#status").get_by_text("Loading").wait_for(state="hidden", timeout=120_000)
    return page


def test_browser_question_sent_while_an_answer_is_written_is_queued_and_answered(
    llm_server, browser
):
    """Regression: a question sent during streaming was dropped (its submit never fired)."""
    page = open_loaded_chat(browser, llm_server)
    rows = page.locator("#chat .bot-row")
    with kept_on_failure(page, "web-chat-queue-failure.png"):
        box = page.locator("#question textarea")
        box.fill("Who is the Kremlin spokesperson?")
        box.press("Enter")
        rows.last.get_by_text("writing, then checked").wait_for(timeout=60_000)  # streaming
        box.fill("Which country hosted the latest round of peace talks?")
        box.press("Enter")
        user_rows = page.locator("#chat .user-row")
        user_rows.nth(1).get_by_text("latest round of peace talks").wait_for(timeout=2_000)
        assert "Queued" in rows.nth(1).inner_text()
        assert box.input_value() == ""  # taken from the box, not left behind
        wait_for_final_answer(page, 2, timeout=120_000)
        assert "Peskov" in rows.nth(0).inner_text()
        assert "Saudi Arabia" in rows.nth(1).inner_text()
        assert user_rows.count() == 2 and rows.count() == 2


def test_cli_ask_uses_the_running_web_chat_on_the_same_index(server):
    url, work, _ = server
    index = str(work / "index")
    result = run_rag("--index", index, "ask", QUESTION, cwd=work, timeout=120, generator=None)
    assert result.returncode == 0, result.stderr
    assert f"answered by the web chat running at {url}" in result.stderr
    assert "Saudi Arabia" in result.stdout.splitlines()[0]
    assert "[1] ukraine-russia-ceasefire-talks.txt ¶2 (line 3)" in result.stdout


def test_cli_ingest_is_done_by_the_web_chat_that_owns_the_index(server):
    url, work, _ = server
    paths = ["--index", str(work / "index"), "--corpus", str(work / "corpus")]
    result = run_rag(*paths, "ingest", cwd=work, timeout=120, generator=None)
    assert result.returncode == 0, result.stderr
    assert f"indexed by the web chat running at {url}" in result.stderr
    assert "removed 0" in result.stdout and "paragraphs indexed" in result.stdout


def test_browser_stop_ends_the_answer_and_frees_the_model(llm_server, browser):
    page = open_loaded_chat(browser, llm_server)
    rows = page.locator("#chat .bot-row")
    with kept_on_failure(page, "web-chat-stop-failure.png"):
        box = page.locator("#question textarea")
        box.fill("What does Zelenskyy demand before accepting a ceasefire, and why?")
        box.press("Enter")
        rows.last.get_by_text("writing, then checked").wait_for(timeout=60_000)
        page.locator("#stop").click()
        rows.nth(0).get_by_text("Stopped").wait_for(timeout=3_000)
        box.fill("Which country hosted the latest round of peace talks?")
        box.press("Enter")
        wait_for_final_answer(page, 2, timeout=120_000)
        assert "Saudi Arabia" in rows.nth(1).inner_text()
        assert "Stopped" in rows.nth(0).inner_text()


def test_browser_waiting_question_shows_its_place_and_a_closed_page_gives_up_the_model(
    llm_server, browser
):
    """Two users: the second one's question waits for the model and says so, and is answered
    once the first user's page closes mid-answer."""
    first = open_loaded_chat(browser, llm_server)
    second = open_loaded_chat(browser, llm_server)
    with kept_on_failure(second, "web-chat-turns-failure.png"):
        box = first.locator("#question textarea")
        box.fill("What does Zelenskyy demand before accepting a ceasefire, and why?")
        box.press("Enter")
        first.locator("#chat .bot-row").last.get_by_text("writing, then checked").wait_for(
            timeout=60_000
        )
        box = second.locator("#question textarea")
        box.fill("Which country hosted the latest round of peace talks?")
        box.press("Enter")
        waiting = second.locator("#chat .bot-row").last
        waiting.get_by_text("Waiting for the model: 1 question").wait_for(timeout=10_000)
        first.context.close()  # the first user goes away mid-answer
        wait_for_final_answer(second, 1, timeout=120_000)
        assert "Saudi Arabia" in waiting.inner_text()
