"""The Redis cache keeps one client per connection pool (xiangcheng/core/redis_cache.py)."""

import threading

from django.core.cache import cache, caches


def test_every_operation_uses_the_same_client():
    backend = cache._cache
    first = backend.get_client("a")
    assert backend.get_client("b") is first
    assert backend.get_client("c", write=True) is first  # one server: reads and writes share its pool


def test_values_round_trip_through_the_shared_client():
    cache.set("redis-cache-test", {"seats": 3}, 30)
    assert cache.get("redis-cache-test") == {"seats": 3}
    assert cache.get_many(["redis-cache-test", "redis-cache-absent"]) == {"redis-cache-test": {"seats": 3}}
    cache.delete("redis-cache-test")
    assert cache.get("redis-cache-test") is None


def test_threads_each_read_their_own_values():
    results = {}

    def work(n: int) -> None:
        for turn in range(50):
            caches["default"].set(f"redis-cache-thread-{n}", (n, turn), 30)
            results.setdefault(n, []).append(caches["default"].get(f"redis-cache-thread-{n}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [(n, turn) for turn in range(50)] for n in range(4)}
    cache.delete_many([f"redis-cache-thread-{n}" for n in range(4)])
