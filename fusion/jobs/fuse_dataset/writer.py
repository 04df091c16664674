"""A bounded pool of writer threads: encoding and writing overlap the model while memory stays bounded.

Encoding a fused image (colour conversion, rounding, ``cv2.imencode``) and writing it run in OpenCV, numpy
and file I/O, which release the GIL, so threads encode in parallel without copying each image to another
process. At most ``max_pending`` tasks are queued or running: :meth:`BoundedWriter.submit` blocks on the
oldest one beyond that, so results never pile up in memory.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class BoundedWriter:
    """Run tasks in ``threads`` threads (0: in the caller, at once), at most ``max_pending`` at a time.

    Results come back from :meth:`submit` and :meth:`finish` in submission order, as tasks complete; an
    exception raised by a task is raised there.
    """

    def __init__(self, threads: int, max_pending: int) -> None:
        if threads < 0 or max_pending < 1:
            raise ValueError(f"need threads >= 0 and max_pending >= 1, got {threads} and {max_pending}")
        self.max_pending = max_pending
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="writer") if threads else None
        self._pending: deque[Future] = deque()

    def submit(self, task: Callable[..., Any], *args: Any) -> list[Any]:
        """Queue ``task(*args)``; returns the results of the tasks that completed meanwhile."""
        if self._pool is None:
            return [task(*args)]
        self._pending.append(self._pool.submit(task, *args))
        done = []
        while self._pending and (self._pending[0].done() or len(self._pending) > self.max_pending):
            done.append(self._pending.popleft().result())
        return done

    def finish(self) -> list[Any]:
        """Wait for every task; returns the results not returned yet."""
        done = [self._pending.popleft().result() for _ in range(len(self._pending))]
        self.close()
        return done

    def cancel(self) -> None:
        """Drop the queued tasks and wait for the running ones (each finishes its file)."""
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BoundedWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.cancel()
