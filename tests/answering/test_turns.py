"""The model's line: first come, first served; a question given up leaves the line at once."""

from __future__ import annotations

import threading
import time
from contextlib import closing

from rag.answering.models.turns import Turns
from rag.types import Waiting


def model_stream(turns: Turns, log: list[str], name: str):
    """What a model's stream does: wait for the turn (saying so), then write."""
    with turns.ticket() as ticket:
        while not turns.wait(ticket, 0.05):
            yield Waiting(turns.ahead_of(ticket))
        log.append(f"{name} writes")
        yield from ("one ", "two ", "three ")
        log.append(f"{name} done")


def test_questions_take_the_model_in_order_and_say_how_many_are_ahead():
    turns, log = Turns(), []
    first = model_stream(turns, log, "first")
    assert next(first) == "one "  # the line was empty: writes at once
    second = model_stream(turns, log, "second")
    third = model_stream(turns, log, "third")
    assert next(second) == Waiting(1)
    assert next(third) == Waiting(2)
    assert list(first) == ["two ", "three "]
    assert next(second) == "one "
    assert next(third) == Waiting(1)
    assert log == ["first writes", "first done", "second writes"]


def test_a_question_given_up_while_writing_or_waiting_frees_the_line_at_once():
    turns, log = Turns(), []
    writing = model_stream(turns, log, "writing")
    waiting = model_stream(turns, log, "waiting")
    last = model_stream(turns, log, "last")
    assert next(writing) == "one "
    assert next(waiting) == Waiting(1) and next(last) == Waiting(2)
    with closing(waiting):  # its page was closed while it waited
        pass
    assert next(last) == Waiting(1)
    writing.close()  # its page was closed mid-answer
    assert next(last) == "one "
    assert log == ["writing writes", "last writes"]


def test_many_threads_each_get_one_whole_turn():
    turns, log = Turns(), []
    lock = threading.Lock()
    spoken: list[list[str]] = []

    def user(n: int) -> None:
        tokens = [t for t in model_stream(turns, log, f"user{n}") if isinstance(t, str)]
        with lock:
            spoken.append(tokens)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(tokens == ["one ", "two ", "three "] for tokens in spoken) and len(spoken) == 8
    writes = [entry for entry in log if entry.endswith("writes")]
    for entry in writes:  # never two writing at once
        assert log[log.index(entry) + 1] == entry.replace("writes", "done")


def test_a_model_with_two_slots_writes_two_answers_at_once_and_the_third_waits():
    turns, log = Turns(slots=2), []
    first, second, third = (model_stream(turns, log, n) for n in ("first", "second", "third"))
    assert next(first) == "one " and next(second) == "one "  # both written together
    assert next(third) == Waiting(1)
    first.close()  # Stop on one: the other keeps writing, the waiting one takes the free slot
    assert list(second) == ["two ", "three "]
    assert next(third) == "one "
    assert log == ["first writes", "second writes", "second done", "third writes"]


def test_the_expected_wait_grows_with_the_line_and_the_latest_answers_lengths():
    turns = Turns(slots=2)
    with turns.ticket() as alone:
        assert turns.wait(alone, 0) and turns.expected_wait(alone) == 0.0  # nothing measured yet
        time.sleep(0.2)  # one answer of about 0.2 s
    writers = [model_stream(turns, [], n) for n in ("first", "second")]
    assert [next(w) for w in writers] == ["one ", "one "]  # both slots writing
    waiting = [model_stream(turns, [], n) for n in ("third", "fourth", "fifth")]
    assert [next(w) for w in waiting] == [Waiting(1), Waiting(2), Waiting(3)]
    with turns.ticket() as last:  # four ahead of it, two at a time, about 0.2 s each
        assert 0.35 <= turns.expected_wait(last) <= 0.6
    for stream in writers + waiting:
        stream.close()
