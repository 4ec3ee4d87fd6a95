"""The cards of an organisation's jobs page, kept rendered (``xiangcheng.core.fragments``).

A card shows the job's title (a link once published), status, whether an edit awaits review, its
last day, the reason it was not accepted, how many applied and how many nobody has viewed, and —
while the organisation may post — its edit, submit and close buttons: its version names each of
them. Its "Submit for review" button submits the page's one form (``id="job-submit"``, with this
request's CSRF token) to the job's own address, so no card holds a token. Which jobs are listed
is the organisation's query (``applications.jobs_with_applications_counted``), for its
representatives only.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .jobs import submittable
from .models import Job

CARD_TEMPLATE = "services/jobs/_organisation_job.html"


def card_version(job: Job) -> tuple:
    """Needs ``applied`` and ``not_viewed`` (counted with the jobs), ``may_post`` and
    ``submittable`` (the page's)."""
    return (job.pk, job.organisation_id, job.title, job.published_at is not None, job.status,
            job.changes_submitted_at is not None, job.closes_on.isoformat(), job.rejection_reason,
            job.applied, job.not_viewed, job.may_post, job.submittable)


def organisation_job_cards(jobs) -> SafeString:
    return rendered_each(jobs, template=CARD_TEMPLATE, name="job", version=card_version)


def steps_marked(jobs, *, may_post: bool) -> bool:
    """Mark each job of the page with the steps its card offers — the organisation's while it may
    post, "Submit for review" on a job that may be submitted (``jobs.submittable``) — and say
    whether any card submits: the page carries its one form only then."""
    for job in jobs:
        job.may_post = may_post
        job.submittable = may_post and submittable(job)
    return any(job.submittable for job in jobs)
