"""Signing up for events: seats, waitlist, approval, childcare, cancellation.

Capacity is kept by the database. Its triggers count each event's confirmed seats and childcare
places (``EventSeats``, events.seat_counts), and a seat is taken by one statement that finds a
free one and locks the counter row (``_seat_claimed``), in the transaction that writes the
registration. Only members who win a seat take turns, for as long as that transaction lasts;
the rest of a rush is waitlisted side by side, without waiting. Sign-ups hold the event row
against staff changing or cancelling it meanwhile (``FOR KEY SHARE``, which sign-ups do not
block each other with), and every other decision (cancel, promote, approve, staff edits) locks
the event and its counter row together (``locked_event``). Messages are written to the kernel's
outbox in that transaction and delivered after commit.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Status as MemberStatus
from members.models import User
from xiangcheng.core.audiences import restricted
from xiangcheng.core.compiled_queries import CompiledQuery, Read

from . import notices
from .audiences import AudienceError, audience_check, registrants_in_audience
from .childcare_consent import children_consent_record, future_with_children
from .models import (
    ACTIVE_STATUSES,
    Audience,
    Event,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    seats_free,
)
from .notices import notify_registration

# The locks are what keep capacity; tests switch them off once to prove the race test catches it.
LOCK_SEATS = True


class BookingError(Exception):
    """A sign-up rule was broken; the message is shown to the member."""


def locked_event(event_id: int) -> Event:
    """The event with its seat counts, both rows locked until the transaction ends."""
    # The event first, then its counter: the order sign-ups take them in, so that the two
    # never wait for each other in a circle.
    events, seats = Event.objects.all(), EventSeats.objects.all()
    if LOCK_SEATS:
        events, seats = events.select_for_update(), seats.select_for_update()
    event = events.get(pk=event_id)
    event.seats = seats.get(pk=event_id)
    return event


# A sign-up's two reads, SQL built once: in a rush they are most of what a request asks of
# the database. Each with its lock and without it (``LOCK_SEATS``).
_EVENT_HELD = {locked: CompiledQuery(lambda event_id: Event.objects.filter(pk=event_id).order_by(), event_id=int,
                                     row_lock="FOR KEY SHARE" if locked else "")
               for locked in (True, False)}


def _seat_free(locked: bool) -> CompiledQuery:
    def build(event_id, capacity, places):
        # As Value()s: a plain int beyond a small integer column's range (as the compiled query's
        # stand-ins are) would make the ORM answer "no rows" without asking.
        free = EventSeats.objects.filter(event_id=event_id, confirmed__lt=Value(capacity),
                                         children__lte=Value(places))
        return (free.select_for_update() if locked else free).values_list("pk", flat=True)
    return CompiledQuery(build, event_id=int, capacity=int, places=int)


_SEAT_FREE = {locked: _seat_free(locked) for locked in (True, False)}


def _event_held(event_id: int) -> Event:
    """The event as it is now, kept from staff changes until the transaction ends.

    ``FOR KEY SHARE`` conflicts with ``locked_event``'s lock but not with itself, so sign-ups do
    not queue behind each other here.
    """
    event = _EVENT_HELD[LOCK_SEATS].first(event_id=event_id)
    if event is None:
        raise BookingError(_("This event is not open for sign-up."))
    return event


def _seat_claimed(event: Event, *, children: int) -> bool:
    """Take a free seat, and childcare places for her children, if the event has them.

    One statement: it locks the counter row only when it finds a seat there (re-checked against
    the counts the last winner committed), so winners take turns and everyone else passes.
    """
    return bool(_SEAT_FREE[LOCK_SEATS].rows(event_id=event.pk, capacity=event.capacity,
                                            places=event.childcare_places - children))


def cancellation_open(event: Event, *, now: datetime | None = None) -> bool:
    """Whether members may still cancel their own registration: the one place the deadline is read."""
    return (now or timezone.now()) < event.cancellation_deadline


def registration_open(*, event: Event) -> None:
    """Raise BookingError unless the event takes sign-ups now, whoever asks."""
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED:
        raise BookingError(_("This event is not open for sign-up."))
    if now < event.registration_opens_at:
        raise BookingError(_("Sign-up has not opened yet."))
    if now >= event.registration_closes_at or now >= event.starts_at:
        raise BookingError(_("Sign-up for this event has closed."))


def can_sign_up(*, event: Event, user: User) -> None:
    """Raise BookingError if this account may not sign up for this event now."""
    registration_open(event=event)
    if restricted(event.audience) is not None:  # a circle's event: its members only
        try:
            audience_check(audience=event.audience, user=user)
        except AudienceError as exc:
            raise BookingError(str(exc)) from None
    elif event.audience == Audience.MEMBERS:
        profile = getattr(user, "profile", None)
        if profile is None or profile.status != MemberStatus.APPROVED:
            raise BookingError(_("This event is for approved members of the alliance."))
    elif not (user.phone_verified or user.emailaddress_set.filter(verified=True).exists()):
        raise BookingError(_("Verify your email address or mobile number first."))


def _check_children(event: Event, children_ages: Sequence[int]) -> None:
    if not children_ages:
        return
    if not event.childcare_offered:
        raise BookingError(_("This event does not offer childcare."))
    if len(children_ages) > 5:
        raise BookingError(_("You can book childcare for at most 5 children."))
    if any(age < 1 or age > 14 for age in children_ages):
        raise BookingError(_("Childcare is for children aged 1 to 14."))


class ChildcareConsentMissing(BookingError):
    """Children booked without the guardian's separate consent to process their data."""


def _check_children_consent(children_ages: Sequence[int], children_consent: bool) -> None:
    if children_ages and not children_consent:
        raise ChildcareConsentMissing(_(
            "To book childcare, tick the box to consent, as their guardian, to your children's data being "
            "processed. Or leave the ages empty to sign up without childcare."))


# Her registration on the event page and on a sign-up that cannot write hers: SQL built once.
_ACTIVE_REGISTRATION = CompiledQuery(lambda event_id, user_id: Registration.objects.filter(
    event_id=event_id, user_id=user_id, status__in=ACTIVE_STATUSES), event_id=int, user_id=int)


def active_registration(*, event_id: int, user: User) -> Registration | None:
    """Her registration that is not cancelled, if any: at most one (a partial unique constraint)."""
    return _ACTIVE_REGISTRATION.first(event_id=event_id, user_id=user.pk)


def active_registration_read(*, event_id: int, user: User) -> Read:
    """``active_registration``, to be read with other queries in one round trip."""
    return _ACTIVE_REGISTRATION.first_read(event_id=event_id, user_id=user.pk)


def _sign_up_status(event: Event, *, children: int) -> str:
    if event.requires_approval:
        return RegistrationStatus.PENDING
    if _seat_claimed(event, children=children):
        return RegistrationStatus.CONFIRMED
    if children and EventSeats.objects.filter(event_id=event.pk, confirmed__lt=event.capacity).exists():
        raise BookingError(_("Childcare is full for this event. You can sign up without childcare."))
    if event.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise BookingError(_("This event is full."))


def sign_up(*, event_id: int, user: User, children_ages: Sequence[int] = (),
            children_consent: bool = False) -> Registration:
    """Confirm her seat, put her on the waitlist, or file her request for approval.

    Childcare needs the guardian's separate consent (``children_consent``), recorded with the
    sign-up (events.childcare_consent). Signing up twice returns the registration she already has,
    whatever the rules say by then.

    The event is read once, under its hold; her registration only when this one cannot be made
    (a rule refused it, or the partial unique constraint found hers).
    """
    children_ages = list(children_ages)
    try:
        with transaction.atomic():
            event = _event_held(event_id)
            _check_children(event, children_ages)  # what she typed is checked first, as on any form
            _check_children_consent(children_ages, children_consent)
            try:
                can_sign_up(event=event, user=user)
                status = _sign_up_status(event, children=len(children_ages))
            except BookingError:
                existing = active_registration(event_id=event_id, user=user)
                if existing is None:
                    raise
                return existing
            registration = Registration.objects.create(
                event=event, user=user, status=status, children_count=len(children_ages),
                children_ages=children_ages, decided_at=timezone.now(),
            )
            if children_ages:
                children_consent_record(user=user)
            notify_registration(registration=registration, kind=status)
            return registration
    except IntegrityError:
        # She has one already, or pressed twice at once: the partial unique constraint let one in.
        existing = active_registration(event_id=event_id, user=user)
        if existing is None:
            raise
        return existing


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED,
    ).filter(Q(created_at__lt=registration.created_at)
             | Q(created_at=registration.created_at, pk__lt=registration.pk)).count()
    return ahead + 1


def promote_waitlist(*, event: Event) -> list[Registration]:
    """Give free seats to the first people on the waitlist. Call inside ``locked_event``'s lock."""
    promoted = []
    if event.status != EventStatus.PUBLISHED:
        return promoted  # a cancelled event has no seat to give
    counts = EventSeats.objects.get(pk=event.pk)  # as this transaction left them
    free = seats_free(capacity=event.capacity, confirmed=counts.confirmed)
    care_free = event.childcare_places - counts.children
    if free <= 0:
        return promoted
    waiting = event.registrations.filter(registrants_in_audience(audience=event.audience),
                                         status=RegistrationStatus.WAITLISTED)
    for registration in waiting.order_by("created_at", "pk"):
        if free <= 0:
            break
        if registration.children_count > care_free:
            continue  # her children do not fit yet; the next in line may come without children
        registration.status = RegistrationStatus.CONFIRMED
        registration.decided_at = timezone.now()
        registration.save(update_fields=["status", "decided_at"])
        notify_registration(registration=registration, kind=notices.PROMOTED)
        promoted.append(registration)
        free -= 1
        care_free -= registration.children_count
    return promoted


def cancel(*, registration: Registration, user: User) -> Registration:
    """She cancels her own registration before the deadline; the seat goes to the waitlist."""
    if registration.user_id != user.pk:
        raise BookingError(_("This is not your registration."))
    with transaction.atomic():
        event = locked_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise BookingError(_("This registration is already cancelled."))
        if not cancellation_open(event):
            raise BookingError(_("The cancellation deadline has passed. Please contact the organisers."))
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        promote_waitlist(event=event)
    return registration


def registrations_decide(*, registration_ids: Sequence[int], approve: bool) -> int:
    """Staff approve (seat if free, else waitlist) or reject pending registrations.

    Returns how many were decided.
    """
    count = 0
    by_event: dict[int, list[int]] = {}
    for event_id, pk in Registration.objects.filter(
        pk__in=list(registration_ids), status=RegistrationStatus.PENDING
    ).values_list("event_id", "pk"):
        by_event.setdefault(event_id, []).append(pk)
    for event_id, pks in by_event.items():
        with transaction.atomic():
            event = locked_event(event_id)
            if approve and event.status != EventStatus.PUBLISHED:
                continue  # no seat to give in a cancelled event; rejecting still works
            free = seats_free(capacity=event.capacity, confirmed=event.seats.confirmed)
            care_free = event.childcare_places - event.seats.children
            for registration in Registration.objects.filter(pk__in=pks, status=RegistrationStatus.PENDING).order_by("created_at", "pk"):
                if not approve:
                    registration.status = RegistrationStatus.REJECTED
                    kind = notices.REJECTED
                elif free and (registration.children_count <= care_free or not registration.children_count):
                    registration.status = RegistrationStatus.CONFIRMED
                    kind = notices.APPROVED
                    free -= 1
                    care_free -= registration.children_count
                elif event.waitlist_enabled:
                    registration.status = RegistrationStatus.WAITLISTED
                    kind = notices.WAITLISTED
                else:
                    continue  # full and no waitlist: it stays pending until a seat frees or staff reject
                registration.decided_at = timezone.now()
                registration.save(update_fields=["status", "decided_at"])
                notify_registration(registration=registration, kind=kind)
                count += 1
    return count


# --- 我的授权: the guardian withdraws her consent to her children's data -------------------------

def children_data_erase(*, user: User) -> int:
    """Erase the children's data on her registrations for events still to come, at once: each
    event locked in id order (as every booking decision takes it), the childcare places freed go
    to the waitlist. Her own seats stay. Returns how many registrations were changed."""
    changed = 0
    with transaction.atomic():
        for event_id in sorted(set(future_with_children(user).values_list("event_id", flat=True))):
            event = locked_event(event_id)
            for registration in future_with_children(user).filter(event_id=event_id).select_for_update():
                registration.children_count = 0
                registration.children_ages = []
                registration.save(update_fields=["children_count", "children_ages"])
                changed += 1
            promote_waitlist(event=event)
    return changed
