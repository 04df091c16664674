"""BoundedWriter: results in order, bounded queue, errors raised, inline mode."""
import threading
import time

import pytest

from fusion.jobs.fuse_dataset.writer import BoundedWriter


@pytest.mark.parametrize("threads", [0, 3])
def test_every_result_comes_back_in_order(threads):
    results = []
    with BoundedWriter(threads, max_pending=4) as writer:
        for i in range(20):
            results += writer.submit(lambda x: x * x, i)
        results += writer.finish()
    assert results == [i * i for i in range(20)]


def test_pending_tasks_are_bounded():
    running, peak, lock = [0], [0], threading.Lock()

    def task():
        with lock:
            running[0] += 1
        time.sleep(0.005)
        with lock:
            running[0] -= 1

    writer = BoundedWriter(2, max_pending=3)
    for _ in range(15):
        writer.submit(task)
        peak[0] = max(peak[0], len(writer._pending))
    writer.finish()
    assert peak[0] <= 4  # max_pending, plus the one just queued before the wait


def test_task_error_is_raised():
    def fail():
        raise OSError("disk full")
    writer = BoundedWriter(2, max_pending=1)
    with pytest.raises(OSError, match="disk full"):
        writer.submit(fail)
        writer.finish()
    writer.cancel()
