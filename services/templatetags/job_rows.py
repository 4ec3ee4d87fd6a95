from django import template

from services import job_rows as rows

register = template.Library()


@register.simple_tag
def organisation_job_cards(jobs):
    """An organisation's jobs' cards (``services/jobs/_organisation_job.html``), each rendered once per version."""
    return rows.organisation_job_cards(jobs)
