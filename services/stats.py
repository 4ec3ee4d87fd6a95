"""Figures staff report upwards: open tickets by category, response times, SLA, ratings.

They read the reports database (the read replica when one is configured: a second's lag
changes no figure here), never the primary's locks or the rows a decision is being taken on.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from django.db.models import Avg, Count, F
from django.utils.timesince import timesince

from xiangcheng.core.replica import reports_database

from .models import OPEN_STATUSES, Category, Ticket


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


def inbox_stats() -> InboxStats:
    tickets = Ticket.objects.using(reports_database())
    labels = dict(Category.choices)
    open_counts = dict(tickets.filter(status__in=OPEN_STATUSES).values_list("category")
                       .annotate(n=Count("pk")).values_list("category", "n"))
    responses = list(tickets.filter(first_response_at__isnull=False)
                     .annotate(wait=F("first_response_at") - F("created_at"))
                     .values_list("wait", "first_response_at", "due_at"))
    within = sum(1 for _, answered, due in responses if answered <= due)
    rating = tickets.filter(rating__isnull=False).aggregate(avg=Avg("rating"))["avg"]
    return InboxStats(
        open_by_category=[(str(labels[c]), open_counts.get(c, 0)) for c in Category.values],
        median_first_response=median(w for w, _, _ in responses) if responses else None,
        answered_within_sla=within / len(responses) if responses else None,
        average_rating=round(rating, 2) if rating is not None else None,
        total=tickets.count(),
    )
