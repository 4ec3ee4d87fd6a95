from django import template

from services import slot_rows as rows

register = template.Library()


@register.simple_tag
def slot_rows(slots):
    """An offering's upcoming times (``services/offerings/_slot_row.html``), each rendered once per version."""
    return rows.slot_rows(slots)
