"""Read-side helpers the event pages share: seat counts in one query, visibility."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .booking import cancellation_open
from .models import Event, EventStatus, Registration, RegistrationStatus


def with_seat_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event's registrations counted by state in the same query: confirmed (the seats taken),
    waiting, pending and checked in. Pages, admin and exports read these counts."""
    def counted(condition: Q) -> Count:
        return Count("registrations", filter=condition)

    return events.annotate(
        confirmed_count=counted(Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waitlist_count=counted(Q(registrations__status=RegistrationStatus.WAITLISTED)),
        pending_count=counted(Q(registrations__status=RegistrationStatus.PENDING)),
        attended_count=counted(Q(registrations__checked_in_at__isnull=False)),
    )


def events_visible() -> QuerySet[Event]:
    """Published and cancelled events (cancelled stay visible so registrants see why)."""
    return with_seat_counts(Event.objects.exclude(status=EventStatus.DRAFT).select_related("programme", "venue"))


def events_listed(*, past: bool = False, programme: str = "", kind: str = "", month: date | None = None,
                  q: str = "") -> QuerySet[Event]:
    now = timezone.now()
    qs = events_visible()
    # Explicit order: Django drops Meta.ordering from a query with GROUP BY (the seat counts).
    qs = (qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk") if past
          else qs.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    if programme:
        qs = qs.filter(programme__slug=programme)
    if kind:
        qs = qs.filter(kind=kind)
    if month:
        qs = qs.filter(starts_at__year=month.year, starts_at__month=month.month)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs


def my_registrations(user) -> list[Registration]:
    """Her registrations, newest event first, each with ``waitlist_position`` and ``can_cancel``
    set (2 queries)."""
    registrations = list(
        Registration.objects.filter(user=user)
        .select_related("event__venue", "event__programme")
        .order_by("-event__starts_at", "-pk")
    )
    waiting_events = {r.event_id for r in registrations if r.status == RegistrationStatus.WAITLISTED}
    positions: dict[int, int] = {}
    if waiting_events:
        counters: dict[int, int] = {}
        for pk, event_id in (Registration.objects.filter(event_id__in=waiting_events, status=RegistrationStatus.WAITLISTED)
                             .order_by("created_at", "pk").values_list("pk", "event_id")):
            counters[event_id] = counters.get(event_id, 0) + 1
            positions[pk] = counters[event_id]
    now = timezone.now()
    for registration in registrations:
        registration.waitlist_position = positions.get(registration.pk)
        registration.can_cancel = registration.is_active and cancellation_open(registration.event, now=now)
    return registrations
