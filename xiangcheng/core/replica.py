"""The read replica: reports and the dashboard may read it; nothing else ever does.

With ``DATABASE_REPLICA_URL`` set, the settings define a ``replica`` database alias (a
PostgreSQL standby, connected read-only) and ``REPORTS_DATABASE`` names it. A replica lags the
primary by a moment, so it serves only figures where a second's delay changes nothing. Seat
decisions, the inbox, accounts and sessions must see the latest committed state and take locks:
they stay on the primary.

The line is held by ``PrimaryRouter``: every read and write the ORM routes goes to ``default``,
including the reads Django makes from an object's own database (a related object of a row read
from the replica, a ``save()`` of such a row). The only way to the replica is an explicit::

    Ticket.objects.using(reports_database()).filter(...)

in a report. Without a replica, ``reports_database()`` is ``default``.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError

logger = logging.getLogger(__name__)
T = TypeVar("T")


def reports_database() -> str:
    """The database alias that reports read: the replica when one is configured."""
    return settings.REPORTS_DATABASE


def report_read(read: Callable[[str], T]) -> T:
    """``read(alias)`` on the reports' database; if the replica cannot be reached, on the
    primary (logged), so a report page never fails because its replica is down."""
    alias = reports_database()
    try:
        return read(alias)
    except OperationalError:
        if alias == DEFAULT_DB_ALIAS:
            raise
        logger.warning("the reports' replica %r is unreachable; reading the primary", alias, exc_info=True)
        return read(DEFAULT_DB_ALIAS)


class PrimaryRouter:
    """Everything the ORM routes by itself goes to the primary; only ``.using()`` reaches a replica."""

    def db_for_read(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # a standby is changed only by replication
