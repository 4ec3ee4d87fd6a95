"""Figures staff report upwards: open tickets by category, response times, SLA, ratings.

They read the reports database (the read replica when one is configured: a second's lag
changes no figure here), never the primary's locks or the rows a decision is being taken on.

The figures run over every ticket ever submitted (a sort of all first-response times for the
median), and every agent's every view of the queue shows them; they are kept in the cache for
a minute (``STATS_SECONDS``), which changes nothing anyone reports upwards. Without Redis they
are computed on each view, as before.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import Aggregate, Avg, Count, DurationField, F, Q
from django.utils.timesince import timesince
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from xiangcheng.core.replica import report_read

from .models import OPEN_STATUSES, Category, Ticket

logger = logging.getLogger(__name__)

STATS_SECONDS = 60
_CACHE_KEY = "services:inbox-stats"


@dataclass(frozen=True)
class InboxStats:
    open_by_category: list[tuple[str, int]]
    median_first_response: timedelta | None
    answered_within_sla: float | None  # share of answered tickets, 0..1
    average_rating: float | None
    total: int

    @property
    def median_first_response_text(self) -> str:
        """The median wait in Django's words for durations in the active language, not "1 day, 3:00:00"."""
        if self.median_first_response is None:
            return ""
        start = datetime(2000, 1, 1, tzinfo=UTC)
        return timesince(start, start + self.median_first_response, depth=2)


class Median(Aggregate):
    """The median of a duration, interpolated between the two middle values as statistics.median is.

    PostgreSQL's ordered-set aggregate ignores NULLs (tickets not yet answered).
    """

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _figures() -> dict:
    """Every figure in one aggregate query, computed in the database over all tickets."""
    return report_read(_figures_on)


def _figures_on(alias: str) -> dict:
    open_ = Q(status__in=OPEN_STATUSES)
    return Ticket.objects.using(alias).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        within=Count("pk", filter=Q(first_response_at__lte=F("due_at"))),
        median=Median(F("first_response_at") - F("created_at")),
        rating=Avg("rating"),
        **{f"open_{c}": Count("pk", filter=open_ & Q(category=c)) for c in Category.values},
    )


def _cached_figures() -> dict:
    try:
        figures = cache.get(_CACHE_KEY)
    except (RedisConnectionError, RedisTimeoutError) as exc:
        logger.warning("Inbox statistics computed without the cache: %s", exc)
        return _figures()
    if figures is None:
        figures = _figures()
        try:
            cache.set(_CACHE_KEY, figures, STATS_SECONDS)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.warning("Inbox statistics not kept in the cache: %s", exc)
    return figures


def inbox_stats() -> InboxStats:
    """The inbox's figures, at most ``STATS_SECONDS`` old."""
    figures = _cached_figures()
    answered, rating = figures["answered"], figures["rating"]
    return InboxStats(
        open_by_category=[(str(label), figures[f"open_{c}"]) for c, label in Category.choices],
        median_first_response=figures["median"],
        answered_within_sla=figures["within"] / answered if answered else None,
        average_rating=round(rating, 2) if rating is not None else None,
        total=figures["total"],
    )
