import pytest

import rag

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command


def test_follow_up_retrieves_with_the_conversation(article_bot):
    session = article_bot.chat()
    first = session.ask("Who is the Kremlin spokesperson?")
    assert "Dmitry Peskov" in first.text
    follow_up = session.ask("What did he say?")
    assert follow_up.query == "What did Dmitry Peskov say?"
    assert "scrutinizing the details" in follow_up.text
    assert follow_up.citations[0].paragraph == 6
    # the raw follow-up alone finds nothing to answer with
    assert article_bot.ask("What did he say?").refused


def test_a_standalone_follow_up_is_not_rewritten(article_bot):
    session = article_bot.chat()
    session.ask("Who is the Kremlin spokesperson?")
    answer = session.ask("Which European nations voiced support for Ukraine's demands?")
    assert answer.query == answer.question
    assert "France and Germany" in answer.text


def test_reset_forgets_the_conversation(article_bot):
    session = article_bot.chat()
    session.ask("Who is the Kremlin spokesperson?")
    session.reset()
    assert session.ask("What did he say?").query == "What did he say?"


def test_empty_follow_up_is_a_clear_error(article_bot):
    session = article_bot.chat()
    try:
        session.ask("  ")
    except rag.QuestionError as error:
        assert "empty" in str(error)
    else:
        raise AssertionError("no error for an empty question")
    assert session.turns == []
