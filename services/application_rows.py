"""The rows of 我的求职, her job applications, kept rendered (``xiangcheng.core.fragments``).

A row shows her application's status and day, and the job's title, status and organisation's
name: its version names each of them, so a change to any renders it again. Which applications
are hers is the list's query (``applications.applications_of_member``); the row's key holds her
application, so no one else's page reads it.
"""

from django.utils import timezone
from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .models import Application

ROW_TEMPLATE = "services/jobs/_application_row.html"


def row_version(application: Application) -> tuple:
    """Needs the application loaded with its job and organisation (``applications_of_member`` does)."""
    job = application.job
    return (application.pk, application.status, timezone.localdate(application.created_at).isoformat(),
            job.pk, job.title, job.status, job.organisation.name)


def application_rows(applications) -> SafeString:
    return rendered_each(applications, template=ROW_TEMPLATE, name="a", version=row_version)
