"""Read-side helpers the event pages share: seat counts, visibility.

The seats taken come with each event from its counter row (``select_related("seats")``, kept by
the database); the other counts are counted for the events shown only, each from the
(event, status) index.
"""

from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models import User
from xiangcheng.core.compiled_queries import CompiledQuery, Read, together
from xiangcheng.core.counted_pages import counted_page_with
from xiangcheng.core.related_counts import related_count

from .audiences import seen_by, sees
from .booking import active_registration_read, cancellation_open
from .models import Event, EventStatus, Registration, RegistrationStatus


def _counted(condition: Q) -> Coalesce:
    return related_count(Registration.objects.filter(condition), to="event")


def with_waitlist_count(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event's waiting registrations (``waitlist_count``), from the (event, status) index."""
    return events.annotate(waitlist_count=_counted(Q(status=RegistrationStatus.WAITLISTED)))


def with_registration_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event's waiting, pending and checked-in registrations, for the events staff list."""
    return with_waitlist_count(events).annotate(
        pending_count=_counted(Q(status=RegistrationStatus.PENDING)),
        attended_count=_counted(Q(checked_in_at__isnull=False)),
    )


def events_visible(*, viewer: User | AnonymousUser) -> QuerySet[Event]:
    """Published and cancelled events (cancelled stay visible so registrants see why) that
    ``viewer`` may see (``audiences.seen_by``: an event kept to a circle only by its members),
    each with its seat counts."""
    return (Event.objects.exclude(status=EventStatus.DRAFT).filter(seen_by(user=viewer))
            .select_related("programme", "venue", "seats"))


# The event page's read, its SQL built once per process (a third of the page's CPU was the ORM
# building it: the waitlist count and three joined tables).
_EVENT_SHOWN = CompiledQuery(lambda pk: with_waitlist_count(
    Event.objects.exclude(status=EventStatus.DRAFT).filter(pk=pk).select_related("programme", "venue", "seats")),
    pk=int)


def _seen(event: Event | None, viewer: User | AnonymousUser) -> Event | None:
    return event if event is not None and sees(audience=event.audience, user=viewer) else None


def event_page(*, pk: int, viewer: User | AnonymousUser) -> tuple[Event | None, Registration | None]:
    """The event ``pk`` as its page shows it (programme, venue, seats, waitlist) and the viewer's
    registration that is not cancelled (``booking.active_registration``), read in one round trip;
    (None, None) if she may not see it. Whether she may is ``events_visible`` for one row, asked
    of the row once read (``audiences.sees``), since compiling the circles' subqueries into the
    query costs more than the whole read."""
    shown = _EVENT_SHOWN.first_read(pk=pk).then(lambda event: _seen(event, viewer))
    if not viewer.is_authenticated:
        return together(shown)[0], None
    event, registration = together(shown, active_registration_read(event_id=pk, user=viewer))
    return (event, registration) if event is not None else (None, None)


# What staff pick an event from when they filter registrations: the events around today.
AROUND_DAYS_BACK, AROUND_DAYS_AHEAD = 14, 30


def events_around_today(*, also: int | None = None) -> QuerySet[Event]:
    """Events from two weeks back to a month ahead (and the event ``also``, if given), by start."""
    now = timezone.now()
    around = Q(starts_at__range=(now - timedelta(days=AROUND_DAYS_BACK), now + timedelta(days=AROUND_DAYS_AHEAD)))
    if also is not None:
        around |= Q(pk=also)
    return Event.objects.filter(around).only("pk", "title", "starts_at").order_by("starts_at", "pk")


def _first_start_not_ended(now) -> Subquery:
    """The earliest start of an event that has not ended: upcoming events are listed by start, and
    without this bound PostgreSQL walks the start index through every past event (thousands, 2 ms)
    before the first that has not ended. The bound is the minimum over the events the end index
    finds (0.2 ms); taken of the start as such, PostgreSQL would read it by the same walk."""
    start = ExpressionWrapper(F("starts_at") + Value(timedelta(0)), output_field=DateTimeField())
    return Subquery(Event.objects.filter(ends_at__gte=now).order_by()
                    .annotate(first=Func(start, function="MIN")).values("first")[:1])


def events_listed(*, viewer: User | AnonymousUser, past: bool = False, programme: str = "", kind: str = "", month: date | None = None,
                  q: str = "") -> QuerySet[Event]:
    now = timezone.now()
    qs = events_visible(viewer=viewer)
    qs = (qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk") if past
          else qs.filter(ends_at__gte=now, starts_at__gte=_first_start_not_ended(now)).order_by("starts_at", "pk"))
    if programme:
        qs = qs.filter(programme__slug=programme)
    if kind:
        qs = qs.filter(kind=kind)
    if month:
        qs = qs.filter(starts_at__year=month.year, starts_at__month=month.month)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs


MY_EVENTS_PAGE_SIZE = 20

# What her rows show and decide from (events.cards, cancellation_open), and no more: the events'
# descriptions and the rest were most of what each page read.
_HERS = CompiledQuery(lambda user_id: Registration.objects.filter(user_id=user_id).select_related(
    "event__venue").only("user_id", "event_id", "status", "event__title", "event__starts_at", "event__status",
                         "event__cancellation_deadline", "event__venue_id", "event__venue__name")
    .order_by("-event__starts_at", "-pk"), user_id=int)


def my_registrations(user, *, page: str | int | None = None, also: tuple[Read, ...] = ()) -> tuple[Page, list]:
    """One page of her registrations, newest event first, each with ``waitlist_position`` and
    ``can_cancel`` set (2 queries: the page with the count, the waitlists of its events), and
    what the reads ``also`` give, read in the page's round trip."""
    page, also_read = counted_page_with(_HERS.listing(user_id=user.pk), MY_EVENTS_PAGE_SIZE, page, *also)
    registrations = list(page.object_list)
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
    page.object_list = registrations
    return page, also_read
