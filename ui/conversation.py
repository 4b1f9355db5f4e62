"""One browser session's conversation: its questions in the order sent, each answered in turn.

A question sent while an earlier one is still being answered is kept and shown as queued, then
answered after it: the web chat never drops a question. Every submit runs its own event; the
events of one conversation take turns here, so their updates reach the page in order.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import Enum

from rag.types import Answer


class Status(Enum):
    QUEUED = "queued"
    ANSWERING = "answering"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"


FINISHED = (Status.DONE, Status.FAILED, Status.STOPPED)
KEPT_PASSAGES = 3  # of a saved answer's retrieved passages (a refusal shows the closest three)


@dataclass(eq=False)  # compared by identity: the same question may be asked twice
class Exchange:
    """A question and what became of it: queued, being answered (``draft``), answered, failed."""

    question: str
    status: Status = Status.QUEUED
    draft: str = ""  # the model's text so far, before it is checked
    answer: Answer | None = None
    error: str | None = None
    stop_requested: bool = False  # the user pressed Stop while it was being answered
    ahead: int | None = None  # questions of other users that have the model before this one


class Conversation:
    """The exchanges of one browser session, answered one at a time in the order sent.

    Thread-safe: Gradio runs each submit in its own worker thread. (A plain class, not a
    dataclass: Gradio serialises dataclass state values with ``asdict``.)
    """

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.turns: list[Answer] = []  # answered turns, for follow-ups
        self._changed = threading.Condition()

    def __deepcopy__(self, memo) -> Conversation:
        # gr.State deep-copies its initial value for every new browser session.
        return Conversation()

    def submit(self, question: str) -> Exchange:
        """Add a question at the end of the conversation; it waits for the ones before it."""
        with self._changed:
            exchange = Exchange(question)
            self.exchanges.append(exchange)
            return exchange

    def wait_for_turn(self, exchange: Exchange) -> bool:
        """Block until every earlier question is answered; False when the conversation was
        cleared meanwhile (the question is gone and must not be answered)."""
        with self._changed:
            while True:
                if exchange not in self.exchanges:
                    return False
                earlier = self.exchanges[: self.exchanges.index(exchange)]
                if all(e.status in FINISHED for e in earlier):
                    exchange.status = Status.ANSWERING
                    return True
                self._changed.wait()

    def finish(self, exchange: Exchange) -> None:
        """Close ``exchange`` with the answer or error recorded on it, and wake the next one."""
        with self._changed:
            if exchange.answer is not None:
                exchange.status = Status.DONE
            elif exchange.stop_requested:
                exchange.status = Status.STOPPED
            else:
                exchange.status = Status.FAILED
                exchange.error = exchange.error or "The answer was interrupted."
            if exchange.answer is not None and exchange in self.exchanges:
                self.turns.append(exchange.answer)
            self._changed.notify_all()

    def stop(self) -> bool:
        """Ask the answer being written to stop; False when nothing is being answered."""
        with self._changed:
            running = [e for e in self.exchanges if e.status is Status.ANSWERING]
            for exchange in running:
                exchange.stop_requested = True
            return bool(running)

    def saved(self) -> list[dict]:
        """The answered part of the conversation as JSON-ready records (kept in the browser so
        that a reload restores it): question, outcome, and the answer without its long tail of
        retrieved passages."""
        records = []
        with self._changed:
            for exchange in self.exchanges:
                if exchange.answer is not None:
                    answer = exchange.answer.to_dict()
                    answer["passages"] = answer["passages"][:KEPT_PASSAGES]
                    records.append({"question": exchange.question, "answer": answer})
                elif exchange.stop_requested or exchange.error is not None:
                    records.append({"question": exchange.question, "error": exchange.error})
        return records

    def restore(self, records: list[dict]) -> bool:
        """Rebuild an empty conversation from ``saved()`` records; False when there was
        nothing to restore (or the conversation has already begun)."""
        with self._changed:
            if self.exchanges or not records:
                return False
            for record in records:
                try:
                    question = str(record["question"])
                    answer = Answer.from_dict(record["answer"]) if record.get("answer") else None
                except (KeyError, TypeError, ValueError):
                    continue  # a record this version cannot read is skipped, not fatal
                exchange = Exchange(question, answer=answer, error=record.get("error"))
                if answer is not None:
                    exchange.status = Status.DONE
                    self.turns.append(answer)
                elif exchange.error is None:
                    exchange.status, exchange.stop_requested = Status.STOPPED, True
                else:
                    exchange.status = Status.FAILED
                self.exchanges.append(exchange)
            return bool(self.exchanges)

    def clear(self) -> None:
        """Start over: questions still queued are dropped; a running answer is not shown."""
        with self._changed:
            for exchange in self.exchanges:
                if exchange.status is Status.QUEUED:
                    exchange.status = Status.FAILED
                elif exchange.status is Status.ANSWERING:
                    exchange.stop_requested = True
            self.exchanges = []
            self.turns = []
            self._changed.notify_all()

    def latest_answer(self) -> Answer | None:
        with self._changed:
            answered = [e.answer for e in self.exchanges if e.answer is not None]
            return answered[-1] if answered else None

    def answer_at(self, message: int) -> Answer | None:
        """The answer shown in chat bubble number ``message`` (question, answer, question, …)."""
        with self._changed:
            position = message // 2
            if 0 <= position < len(self.exchanges):
                return self.exchanges[position].answer
            return None
