from django import template

from services import application_rows as rows

register = template.Library()


@register.simple_tag
def application_rows(applications):
    """Her job applications' rows in 我的求职 (``services/jobs/_application_row.html``), each rendered once per version."""
    return rows.application_rows(applications)
