"""Rows of job applications kept rendered (``xiangcheng.core.fragments``): hers on 我的求职, and
the applicants' on a job's applications page for its organisation.

A row of 我的求职 shows her application's status and day, and the job's title, status and
organisation's name: its version names each of them, so a change to any renders it again. Which
applications are hers is the list's query (``applications.applications_of_member``); the row's
key holds her application, so no one else's page reads it.

An applicant's row shows her name, job title, field, message, CV link, status and day, and the
organisation's status buttons, which submit the page's one form (``id="application-steps"``, with this
request's CSRF token) to the application's address with the page and filter to come back to:
its version names each of them. Which applications are listed is the job's query
(``applications.applications_to_job``), for its organisation's representatives only.

Above the rows, that page says which job they applied to, its status and closing day, the
status filter and how many applications it shows: one fragment, its version naming each.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each, rendered_kept

from .models import Application, ApplicationStatus, Job

ROW_TEMPLATE = "services/jobs/_application_row.html"
APPLICANT_TEMPLATE = "services/jobs/_applicant_row.html"
HEAD_TEMPLATE = "services/jobs/_applications_head.html"


def row_version(application: Application) -> tuple:
    """Needs the application loaded with its job and organisation (``applications_of_member`` does)."""
    job = application.job
    return (application.pk, application.status, application.created_at.isoformat(),
            job.pk, job.title, job.status, job.organisation.name)


def application_rows(applications) -> SafeString:
    return rendered_each(applications, template=ROW_TEMPLATE, name="a", version=row_version)


def applicant_version(application: Application) -> tuple:
    """Needs ``back`` set (the page and filter her buttons return to) and the applicant's profile
    loaded (``applications.applications_to_job`` does)."""
    profile = application.member.profile
    return (application.pk, application.status, application.created_at.isoformat(), application.message,
            application.cv.name, profile.real_name, profile.job_title, profile.field, application.back)


def applicant_rows(applications) -> SafeString:
    return rendered_each(applications, template=APPLICANT_TEMPLATE, name="a", version=applicant_version)


def applications_head(job: Job, status: str, count: int) -> SafeString:
    """Needs the job with its organisation (``jobs.represented_job_read`` reads them); ``status``
    is the filter shown, ``count`` the applications it finds."""
    organisation = job.organisation
    version = (job.pk, job.title, job.status, job.closes_on.isoformat(), organisation.pk, organisation.name,
               status, count)
    return rendered_kept(template=HEAD_TEMPLATE, version=version, context={
        "job": job, "organisation": organisation, "status": status, "count": count,
        "statuses": _statuses})


def _statuses() -> list:
    # Called by the template only when the head is rendered (the enumeration makes its list anew).
    return ApplicationStatus.choices
