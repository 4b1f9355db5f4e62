"""First come, first served access to a model that writes a few answers at a time (its slots).

Everything before the model (retrieval, the extractive assessment) runs in parallel for every
user; only the model is taken in turns. A question waiting for its turn knows how many are
ahead of it, and one that is abandoned (its reader closed the stream: the browser went away or
the user pressed Stop) leaves the line at once, whether it was waiting or writing.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """A first-in, first-out line for one model that writes ``slots`` answers at once."""

    # How often a waiting question reports its place in the line.
    REPORT_SECONDS = 0.5
    # How many of the latest turns' lengths estimate the wait.
    RECENT_TURNS = 8

    def __init__(self, slots: int = 1) -> None:
        self.slots = max(1, slots)
        self._line: list[object] = []  # the first ``slots`` are being written
        self._changed = threading.Condition()
        self._began: dict[object, float] = {}  # when each ticket being written got its turn
        self._lengths: deque[float] = deque(maxlen=self.RECENT_TURNS)  # seconds, latest last

    def ahead_of(self, ticket: object) -> int:
        """How many wait before ``ticket``'s turn (0 when it is next or being written)."""
        with self._changed:
            return self._ahead(ticket)

    def expected_wait(self, ticket: object) -> float:
        """Seconds until ``ticket``'s turn, estimated from the latest turns' median length
        (0 when it is next or nothing has been written yet)."""
        with self._changed:
            ahead = self._ahead(ticket)
            if not ahead or not self._lengths:
                return 0.0
            return ahead * statistics.median(self._lengths) / self.slots

    def _ahead(self, ticket: object) -> int:  # the caller holds the lock
        return max(0, self._line.index(ticket) - self.slots + 1)

    @contextmanager
    def ticket(self) -> Iterator[object]:
        """A place at the end of the line, given up on leaving the block."""
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        try:
            yield ticket
        finally:
            with self._changed:
                self._line.remove(ticket)
                began = self._began.pop(ticket, None)
                if began is not None:
                    self._lengths.append(time.monotonic() - began)
                self._changed.notify_all()

    def wait(self, ticket: object, timeout: float) -> bool:
        """Whether it is ``ticket``'s turn, waiting up to ``timeout`` seconds for it."""
        with self._changed:
            turn = self._changed.wait_for(lambda: self._line.index(ticket) < self.slots, timeout)
            if turn:
                self._began.setdefault(ticket, time.monotonic())
            return turn
