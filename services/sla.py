"""Answer deadlines in working days (Monday to Friday), configurable per category."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from .models import WAITING_ON_STAFF, CategorySla, Ticket

DEFAULT_WORKING_DAYS = 5


def working_days_for(category: str) -> int:
    sla = CategorySla.objects.filter(category=category).values_list("working_days", flat=True).first()
    return sla or DEFAULT_WORKING_DAYS


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time ``days`` working days later; a weekend start counts from Monday."""
    local = timezone.localtime(start)
    while local.weekday() >= 5:
        local = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local


def due_for(*, category: str, submitted_at: datetime) -> datetime:
    return add_working_days(submitted_at, working_days_for(category))


def overdue_q(now: datetime | None = None) -> Q:
    """Overdue, as a query: waiting on staff after its due time. ``is_overdue`` is the same rule
    for a ticket in hand; the admin filter, the digest and the pages use one or the other."""
    return Q(status__in=WAITING_ON_STAFF, due_at__lt=now or timezone.now())


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    """Not yet answered (or waiting on staff again) after its due time."""
    return ticket.status in WAITING_ON_STAFF and ticket.due_at < (now or timezone.now())


def next_overdue_at(now: datetime) -> datetime | None:
    """When the next ticket waiting on staff turns overdue after ``now`` (``overdue_q``), if one will."""
    return Ticket.objects.filter(status__in=WAITING_ON_STAFF, due_at__gte=now).aggregate(at=Min("due_at"))["at"]


def next_overdue_among(tickets: Iterable[Ticket], now: datetime) -> datetime | None:
    """When the first of these tickets turns overdue after ``now`` (``is_overdue``), if one will."""
    return min((ticket.due_at for ticket in tickets if ticket.status in WAITING_ON_STAFF and ticket.due_at >= now),
               default=None)


def list_turns_at(*, shown: Iterable[Ticket] | None, by_overdue: bool, now: datetime) -> datetime | None:
    """When a list of tickets changes with time alone: when one it shows turns overdue; when any
    ticket does if it is filtered by being overdue (one joins or leaves it then), or if what it
    shows is not known."""
    if by_overdue or shown is None:
        return next_overdue_at(now)
    return next_overdue_among(shown, now)
