from django import template

from events import cards

register = template.Library()


@register.simple_tag
def event_cards(events):
    """The events' cards (``events/_event_card.html``), each rendered once per version."""
    return cards.event_cards(events)


@register.simple_tag
def kept_event_facts(event):
    """What the event's page says of the event (``events/_event_facts.html``), rendered once per version."""
    return cards.event_facts(event)


@register.simple_tag
def registration_rows(registrations):
    """Her registrations' rows in 我的活动 (``events/_registration_row.html``), each rendered once per version."""
    return cards.registration_rows(registrations)
