"""The reminders of calls, scanned by Celery beat; each is sent exactly once (the outbox's key).

- To a member whose application is still a draft once the call is in its last days: from
  ``REMIND_DAYS`` before the closing day (Xiangcheng's calendar) through the closing day itself,
  while the call is open. Keyed by application: a second scan, or one after a break, adds nothing.
- To staff who review applications, once a call has closed (its last day has ended) with submitted
  applications; for ``REVIEW_DUE_DAYS`` after it closed, so a scan missed by a stopped beat still
  finds it. Keyed by call and person.

Both ask the calls' one calendar rule (``call_today`` / ``Call.objects.open``).
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from .call_models import call_today
from .call_notices import notify_review_due, notify_unsubmitted
from .models import Call, CallApplication, CallApplicationStatus

REMIND_DAYS = 3
REVIEW_DUE_DAYS = 7
REVIEW_PERMISSION = ("services", "review_callapplication")


def remind_unsubmitted(*, now: datetime | None = None) -> int:
    """Remind each member whose application is still a draft in its call's last days. Returns how
    many reminders this scan wrote (those already written are not written again)."""
    last_days = call_today(now) + timedelta(days=REMIND_DAYS)
    drafts = dict(CallApplication.objects.filter(
        call__in=Call.objects.open(now).filter(closes_on__lte=last_days), status=CallApplicationStatus.STARTED,
        member__is_active=True).order_by("pk").values_list("pk", "member_id"))
    with transaction.atomic():
        return notify_unsubmitted(application_ids=list(drafts), members=drafts)


def reviewers() -> list[int]:
    """Active staff who may review applications (through a role or their own permissions)."""
    permission = Permission.objects.get(content_type__app_label=REVIEW_PERMISSION[0], codename=REVIEW_PERMISSION[1])
    return list(get_user_model().objects.filter(Q(groups__permissions=permission) | Q(user_permissions=permission),
                                                 is_active=True, is_staff=True)
                .distinct().order_by("pk").values_list("pk", flat=True))


def remind_reviewers(*, now: datetime | None = None) -> int:
    """Tell the reviewers of each call that closed lately with submitted applications. Returns how
    many notices this scan wrote."""
    today = call_today(now)
    call_ids = list(Call.objects.published().filter(
        closes_on__lt=today, closes_on__gte=today - timedelta(days=REVIEW_DUE_DAYS),
        applications__status=CallApplicationStatus.SUBMITTED).distinct().order_by("pk").values_list("pk", flat=True))
    if not call_ids:
        return 0
    staff = reviewers()
    written = 0
    with transaction.atomic():
        for call_id in call_ids:
            written += notify_review_due(call_id=call_id, staff_ids=staff)
    return written
