from django import template

from members import directory_cards as cards

register = template.Library()


@register.simple_tag
def directory_cards(profiles):
    """The directory's cards (``members/_directory_card.html``), each rendered once per version."""
    return cards.directory_cards(profiles)
