from django import template

from matching import cards

register = template.Library()


@register.simple_tag
def suggestion_cards(suggestions, viewer):
    """Her suggestions' cards (``matching/_suggestion_card.html``), each rendered once per version."""
    return cards.suggestion_cards(viewer=viewer, suggestions=suggestions)
