"""Follow-ups keep their own question: a model's rewrite may only replace references, and the
bot's refusals are never context (issue 19)."""

from __future__ import annotations

import pytest

import rag
from rag.answering.compose import REFUSAL_TEXT
from rag.answering.factory import model_generator
from rag.chat import faithful_rewrite

pytestmark = pytest.mark.slow  # the embedding model, a server, a browser or the `rag` command


class ScriptedModel:
    """Stands in for the language model (an external component): sends a chosen rewrite and
    keeps the messages it was sent."""

    def __init__(self, rewrite: str):
        self.rewrite = rewrite
        self.sent: list[list[dict]] = []

    def stream_chat(self, messages, max_tokens):
        self.sent.append(messages)
        yield self.rewrite


def _scripted_bot(article_bot: rag.Bot, rewrite: str) -> tuple[rag.Bot, ScriptedModel]:
    bot = rag.Bot(article_bot.settings)
    model = ScriptedModel(rewrite)
    bot.__dict__["_generator"] = model_generator("scripted", bot.settings, bot.embedder, model)
    return bot, model


def test_a_rewrite_that_changes_the_question_word_or_adds_words_is_rejected():
    said = "Who is the Kremlin spokesperson? Kremlin spokesperson Dmitry Peskov stated that …"
    assert faithful_rewrite("What did he say?", "What did Dmitry Peskov say?", said)
    # the question word changed: the user asked when, not who
    assert not faithful_rewrite(
        "When was the bombing that he carried out?",
        "Who was the person who carried out the bombing?",
        "Who is Tim? Tim carried out the bombing.",
    )
    # built on the bot's own words, not the conversation's
    assert not faithful_rewrite(
        "Where will he begin?", "Why did the user not find the information?", "Who is Tom?"
    )
    # more than a reference: the previous answer brought in
    assert not faithful_rewrite(
        "What other role did it play?",
        "What other role did Saudi Arabia play in recent ceasefire discussions between Ukraine "
        "and Russia?",
        "Which country hosted the talks? Recent ceasefire discussions between Ukraine and Russia "
        "have drawn attention worldwide, with Saudi Arabia hosting the latest round of talks.",
    )
    # the ask itself was replaced
    assert not faithful_rewrite(
        "What did it make?", "What caused the paralysis?", "The toxin caused the paralysis."
    )


def test_an_unfaithful_rewrite_falls_back_to_the_question_with_its_context(article_bot):
    bot, _ = _scripted_bot(article_bot, "Why did the user not find the information?")
    session = bot.chat()
    first = session.ask("Who is the Kremlin spokesperson?")
    follow_up = session.ask("What did he say?")
    assert follow_up.query != "Why did the user not find the information?"
    assert "Peskov" in first.text
    assert follow_up.query == "What did Dmitry Peskov say?"


def test_a_refusal_is_never_context_for_the_rewrite(article_bot):
    bot, model = _scripted_bot(article_bot, "Where will Marco Rubio begin?")
    history = [bot.ask("What is the capital of Australia?")]
    assert history[0].refused
    bot.condense("Where will he begin?", history)
    prompt = model.sent[-1][-1]["content"]
    assert "capital of Australia" in prompt  # the user's question is kept
    assert REFUSAL_TEXT not in prompt and "Assistant:" not in prompt


def test_a_follow_up_without_a_model_asks_about_what_it_refers_to(article_bot):
    session = article_bot.chat()
    session.ask("Which country hosted the latest round of peace talks?")
    role = session.ask("What other role did it play?")
    assert role.query == "What other role did Saudi Arabia play?"
    assert "mediator" in role.text and not role.refused
    spokesperson = session.ask("Who speaks for the Kremlin?")
    said = session.ask("What did he say Russia is doing?")
    assert "Peskov" in spokesperson.text and "Peskov" in said.query
    assert "hosted" not in said.query  # earlier turns do not pile up in the query
    assert "scrutinizing" in said.text


def test_an_elliptical_follow_up_takes_the_previous_question_s_ask():
    from rag.references import resolve
    from rag.types import Turn

    asked = "What does the secrets module's choice function return?"
    history = [Turn(asked, "What does its choice function return?", "A random element [1].")]
    assert resolve("And its randbelow function?", history) == (
        "What does the secrets module's randbelow function return?"
    )
