"""Time as the reference implementation sees it.

Every lifetime in the contract (the site session timeout behind ``expires_in``, token
information's falling ``expiresIn``, the expiry of session tokens) is measured against one
clock. The served reference uses a :class:`MovableClock`, real time plus an offset, so a
suite can jump past a site session timeout without waiting for it while short real waits
still count. Unit tests use a :class:`ManualClock`, which moves only when told.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Seconds since the Unix epoch."""

    def now(self) -> float: ...


@runtime_checkable
class AdjustableClock(Clock, Protocol):
    """A clock a test or a suite may move forward."""

    def advance(self, seconds: float) -> None: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> float:
        return time.time()


class MovableClock:
    """Real time plus an offset that only grows.

    Moving backwards is refused: a session that expired must stay expired, or the
    reference would contradict answers it already gave.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def now(self) -> float:
        with self._lock:
            offset = self._offset
        return time.time() + offset

    def advance(self, seconds: float) -> None:
        _check_forward(seconds)
        with self._lock:
            self._offset += seconds


class ManualClock:
    """A clock that stands still until advanced."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        _check_forward(seconds)
        with self._lock:
            self._now += seconds


def _check_forward(seconds: float) -> None:
    if seconds < 0:
        raise ValueError(f"a clock only moves forward, not by {seconds} seconds")
