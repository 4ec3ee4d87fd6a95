"""The event cards of the lists (home, programme pages, the event list), kept rendered.

A card shows the event's own fields, its seats left, its programme and its venue: its version
names each of them, so any change to what the card shows renders it again. A card is the same for
every viewer (a circle's event says which circle); who may see it is decided by the list's query
(events.audiences.seen_by), never by the card, so a kept card cannot show an outsider a circle's
event.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .models import Event

CARD_TEMPLATE = "events/_event_card.html"


def card_version(event: Event) -> tuple:
    """Needs the event loaded with ``seats``, ``programme`` and ``venue`` (events.queries does)."""
    venue = event.venue.name if event.venue_id else ""
    return (event.pk, event.updated_at.isoformat(), event.seats.confirmed, event.programme.slug,
            event.programme.name, venue, event.audience)


def event_cards(events) -> SafeString:
    return rendered_each(events, template=CARD_TEMPLATE, name="event", version=card_version)

