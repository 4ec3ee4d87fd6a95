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

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


def reports_database() -> str:
    """The database alias that reports read: the replica when one is configured."""
    return settings.REPORTS_DATABASE


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
