"""Real races for the concurrency tests: threads released together, each on its own connection.

Only transactional tests (``django_db(transaction=True)``) can race: every thread must see the
rows the test wrote, and its own commits must be visible to the others.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections

BARRIER_SECONDS = 30
JOIN_SECONDS = 60


@contextmanager
def connection_pool(max_size: int) -> Iterator[None]:
    """Let the default database's connection pool hold ``max_size`` connections, then restore it.

    Every racing thread holds a pooled connection while it waits at the barrier, so the pool
    must have room for all of them (and the test's own connection).
    """
    conn = connections["default"]
    options = conn.settings_dict["OPTIONS"]["pool"]
    saved = dict(options)
    conn.close()
    conn.close_pool()
    options["max_size"] = max_size
    try:
        yield
    finally:
        conn.close()
        conn.close_pool()
        options.clear()
        options.update(saved)


def pool_for_threads(threads: int):
    """An autouse fixture for a module of races with up to ``threads`` threads: one pooled
    connection per thread (and the test's own), so all of them can wait at the barrier together.

    Use: ``_pool_for_every_thread = pool_for_threads(THREADS)``.
    """

    @pytest.fixture(autouse=True)
    def _pool_for_every_thread(transactional_db):
        with connection_pool(threads + 2):
            yield

    return _pool_for_every_thread


def race(call: Callable, args_list, *, alongside: Callable[[], object] | None = None) -> tuple[list, list]:
    """Run call(*args) in one thread per args, all released at once; return (results, errors).

    Each thread opens its own connection before the start line and closes it at the end.
    ``alongside``, if given, runs in the test's thread at the same moment the threads are
    released (the test's thread waits at the barrier too).
    """
    barrier = threading.Barrier(len(args_list) + (alongside is not None))
    results, errors = [], []
    lock = threading.Lock()

    def worker(args):
        try:
            connection.ensure_connection()  # this thread's own connection, before the start line
            barrier.wait(timeout=BARRIER_SECONDS)
            result = call(*args)
            with lock:
                results.append(result)
        except BaseException as exc:  # every failure is reported by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(args,)) for args in args_list]
    for thread in threads:
        thread.start()
    try:
        if alongside is not None:
            barrier.wait(timeout=BARRIER_SECONDS)
            alongside()
    finally:
        for thread in threads:
            thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def lock_awaited(pid: int | None = None) -> bool:
    """Whether a database session (``pid``, or any on this test database) is waiting for a lock
    another one holds. pg_locks lists the whole server's, and the suite's other processes race on
    test databases of their own."""
    with connection.cursor() as cursor:
        if pid is None:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid IN "
                           "(SELECT pid FROM pg_stat_activity WHERE datname = current_database())")
        else:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone()[0] > 0


def wait_until_a_lock_is_awaited(*, seconds: float, pid: int | None = None) -> bool:
    """Ask Postgres until a session waits for a lock (True) or ``seconds`` pass (False).

    Each question is a round trip to the server, which paces the loop: nothing to sleep for.
    """
    deadline = time.monotonic() + seconds
    while not lock_awaited(pid):
        if time.monotonic() >= deadline:
            return False
    return True
