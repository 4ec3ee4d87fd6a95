from django import template

from services import application_rows as rows
from services.applications import ORGANISATION_STEPS

register = template.Library()


@register.simple_tag
def application_rows(applications):
    """Her job applications' rows in 我的求职 (``services/jobs/_application_row.html``), each rendered once per version."""
    return rows.application_rows(applications)


@register.simple_tag
def applicant_rows(applications):
    """The applicants' rows on a job's applications page (``services/jobs/_applicant_row.html``)."""
    return rows.applicant_rows(applications)


@register.simple_tag
def applications_head(job, status, count):
    """What a job's applications page says of the job, its filter and count
    (``services/jobs/_applications_head.html``), rendered once per version."""
    return rows.applications_head(job, status, count)


@register.simple_tag
def organisation_steps():
    """The statuses the organisation may set, as (value, label)."""
    return [(step.value, step.label) for step in ORGANISATION_STEPS]
