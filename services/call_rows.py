"""The rows of 我的申报, kept rendered (``xiangcheng.core.fragments``): a row shows the call's
title, organiser and last day, how many files she attached and her application's status; its
version names each, so a change renders the row again at once. Which applications are hers is the
list's query (``calls.applications_of_member``), never the row."""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .call_models import CallApplication

ROW_TEMPLATE = "services/calls/_my_call_row.html"


def row_version(application: CallApplication) -> tuple:
    """Needs the application loaded with its call and ``files`` counted (``applications_of_member`` does)."""
    call = application.call
    return (application.pk, application.status, application.files, call.title, call.organiser, call.closes_on)


def my_call_rows(applications) -> SafeString:
    return rendered_each(applications, template=ROW_TEMPLATE, name="a", version=row_version)
