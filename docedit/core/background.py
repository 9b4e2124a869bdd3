"""A function run in a daemon thread while the caller goes on.

For work that lets go of the GIL (hashing, file reading) and that a job needs only at its
end: a render hashes its sources for the manifest while it draws. A daemon thread never
holds up the exit of a job stopped by an error or Ctrl-C (an executor's threads would).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

T = TypeVar("T")


class Background(Generic[T]):
    """`function(*args)` in a daemon thread (one that never holds up the exit of a
    stopped render); `result` waits for it and raises what it raised."""

    def __init__(self, function: Callable[..., T], *args: object) -> None:
        self._outcome: list[tuple[bool, object]] = []
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., T], args: tuple[object, ...]) -> None:
        try:
            self._outcome.append((True, function(*args)))
        except BaseException as err:  # handed to the caller of result()
            self._outcome.append((False, err))

    def result(self) -> T:
        self._thread.join()
        done, value = self._outcome[0]
        if not done:
            raise cast(BaseException, value)
        return cast(T, value)
