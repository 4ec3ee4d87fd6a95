from django import template

from services import request_rows as rows

register = template.Library()


@register.simple_tag
def request_rows(requests):
    """The requests' rows (``services/requests/_row.html``), each rendered once per version."""
    return rows.request_rows(requests)


@register.simple_tag
def organisation_request_rows(requests):
    """An organisation's own requests' rows (``services/requests/_organisation_row.html``)."""
    return rows.organisation_request_rows(requests)
