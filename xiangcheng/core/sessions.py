"""Sessions kept in the database and read from Redis.

A signed-in page reads her session from the cache instead of PostgreSQL; every change is still
written to the database, so a restarted or flushed Redis loses nobody's login. With Redis down
the session is read from the database, so signed-in pages keep working (the pages that need Redis
for their limits answer the "try again shortly" page on their own).
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDbStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # the cache is unreachable: the database holds every session
            logger.warning("session cache unavailable; reading the session from the database", exc_info=True)
            return self._load_from_database(cache=False)
        return data if data is not None else self._load_from_database(cache=True)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # the cache is unreachable: ask the database alone
            return bool(session_key) and self._db_exists(session_key)

    def _db_exists(self, session_key) -> bool:
        return self.model.objects.filter(session_key=session_key).exists()

    def _load_from_database(self, *, cache: bool) -> dict:
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        if cache:
            try:
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
            except Exception:  # noqa: S110 - the next request reads the database again
                logger.warning("session cache unavailable; not caching the session", exc_info=True)
        return data

    def delete(self, session_key=None):
        # Logging out with Redis down still ends the session: the database row is what counts, and
        # a cached copy left behind expires with the session.
        try:
            super().delete(session_key)
        except Exception:  # the cache is unreachable: delete from the database alone
            logger.warning("session cache unavailable; deleting the session from the database only", exc_info=True)
            key = session_key or self.session_key
            if key is not None:
                self.model.objects.filter(session_key=key).delete()
