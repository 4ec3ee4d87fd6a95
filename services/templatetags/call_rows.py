from django import template

from services import call_rows

register = template.Library()


@register.simple_tag
def my_call_rows(applications):
    """Her applications' rows in 我的申报 (``services/calls/_my_call_row.html``), each rendered once per version."""
    return call_rows.my_call_rows(applications)
