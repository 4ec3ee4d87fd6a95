from django import template

from events.cards import event_cards as render_cards

register = template.Library()


@register.simple_tag
def event_cards(events):
    """The events' cards (``events/_event_card.html``), each rendered once per version."""
    return render_cards(events)
