"""Django's Redis cache, with one client object per connection pool instead of one per call.

Django's backend builds a new ``redis.Redis`` for every operation; redis-py's constructor sets
up its response callbacks each time, which costs as much as the round trip to Redis itself
(0.15 of 0.35 ms for a ``get``). A signed-in page makes at least two cache reads (her session,
her unread count), so every member page paid it twice. A client only borrows a connection from
its pool for each command and is safe to share between threads, so each pool keeps one.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def redis_client(alias: str = "default"):
    """The redis-py client behind a cache, for what the cache API has no verb for (a list).
    Keys written through it should be made with the cache's ``make_key``, under its prefix."""
    from django.core.cache import caches

    return caches[alias]._cache.get_client(write=True)
