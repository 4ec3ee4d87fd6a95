"""The event cards of the lists (home, programme pages, the event list), what an event's page says
of it, and the rows of 我的活动, kept rendered.

A card shows the event's own fields, its seats left, its programme and its venue: its version
names each of them, so any change to what the card shows renders it again. A card is the same for
every viewer (a circle's event says which circle); who may see it is decided by the list's query
(events.audiences.seen_by), never by the card, so a kept card cannot show an outsider a circle's
event. A row of 我的活动 is her registration's, found by her own list's query; its key holds the
registration, so no one else's page reads it.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each, rendered_kept

from .models import Event, Registration

CARD_TEMPLATE = "events/_event_card.html"


def card_version(event: Event) -> tuple:
    """Needs the event loaded with ``seats``, ``programme`` and ``venue`` (events.queries does)."""
    venue = event.venue.name if event.venue_id else ""
    return (event.pk, event.updated_at.isoformat(), event.seats.confirmed, event.programme.slug,
            event.programme.name, venue, event.audience)


def event_cards(events) -> SafeString:
    return rendered_each(events, template=CARD_TEMPLATE, name="event", version=card_version)


# The event's page: what it says of the event is the same for every reader (whether she may read
# it is decided before, by events.queries.event_page); her sign-up below it is rendered for her.
FACTS_TEMPLATE = "events/_event_facts.html"


def facts_version(event: Event) -> tuple:
    """Needs the event as its page reads it (``events.queries.event_page``: with ``seats``,
    ``programme``, ``venue`` and ``waitlist_count``)."""
    venue = (event.venue.name, event.venue.address, event.venue.notes) if event.venue_id else ()
    return (event.pk, event.updated_at.isoformat(), event.seats.confirmed, event.waitlist_count,
            event.programme.slug, event.programme.name, venue)


def event_facts(event: Event) -> SafeString:
    return rendered_kept(template=FACTS_TEMPLATE, context={"event": event}, version=facts_version(event))


# 我的活动: her registrations, one row each.
ROW_TEMPLATE = "events/_registration_row.html"


def registration_row_version(registration: Registration) -> tuple:
    """Everything her row shows: her registration's state, whether she may still cancel (it ends
    at the event's deadline, so it is part of the version), and the event's title, time, venue and
    status. Needs ``waitlist_position`` and ``can_cancel`` set and the event loaded with its venue
    (events.queries.my_registrations does)."""
    event = registration.event
    venue = event.venue.name if event.venue_id else ""
    return (registration.pk, registration.status, registration.waitlist_position, registration.can_cancel,
            event.pk, event.title, event.starts_at.isoformat(), venue, event.status)


def registration_rows(registrations) -> SafeString:
    return rendered_each(registrations, template=ROW_TEMPLATE, name="r", version=registration_row_version)
