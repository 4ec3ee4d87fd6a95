"""Services' part of the retention job (xiangcheng/core/retention.py): applications that ended
without success, with their private files.

- Job applications the organisation declined, last changed more than
  ``RETENTION["declined_job_applications_days"]`` ago, and their CVs.
- Call applications not shortlisted, not selected or withdrawn, decided (or, withdrawn, last
  changed) more than ``RETENTION["closed_call_applications_days"]`` ago, and their attachments.

Their audit events stay (each deletion adds its ``deleted`` event); the files go once the
deleting transaction has committed.
"""

from datetime import datetime

from django.db.models import Q

from xiangcheng.core.retention import rows_delete

from .models import Application, ApplicationStatus, CallApplication, CallApplicationStatus, CallAttachment

# The outcomes a call application is kept for only the retention period.
CLOSED_CALL_APPLICATION = (CallApplicationStatus.NOT_SHORTLISTED, CallApplicationStatus.NOT_SELECTED,
                           CallApplicationStatus.WITHDRAWN)


def _cvs(pks: list[int]):
    for application in Application.objects.filter(pk__in=pks).exclude(cv="").only("cv"):
        yield application.cv.storage, application.cv.name


def _call_files(pks: list[int]):
    for attachment in CallAttachment.objects.filter(application__in=pks).only("file"):
        yield attachment.file.storage, attachment.file.name


def declined_job_applications_purge(*, before: datetime) -> int:
    declined = Application.objects.filter(status=ApplicationStatus.DECLINED, updated_at__lt=before)
    return rows_delete(queryset=declined, files=_cvs)


def closed_call_applications_purge(*, before: datetime) -> int:
    ended = CallApplication.objects.filter(
        Q(decided_at__lt=before) | Q(decided_at__isnull=True, updated_at__lt=before),
        status__in=CLOSED_CALL_APPLICATION)
    return rows_delete(queryset=ended, files=_call_files)
