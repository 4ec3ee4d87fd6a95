"""What 遇见's moderation tells members, as kinds of the kernel's one outbox.

The reported member is told when she is warned or suspended; the member who reported is told
only that her report was handled, never what was decided about the other person. No SMS: none
of these is urgent, and a text message about a report could be read by someone else.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import User
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify

from .models import Report

PERMISSION = "matching.view_report"


def _compose_warned(notice: Notice) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("A reminder of 遇见's rules")
        body = gettext(
            "Another participant reported something in 遇见, and the 遇见 moderators have looked into it. "
            "Please treat everyone you meet in 遇见 with respect, tell the truth about yourself, and do not "
            "ask anyone for money. If it happens again, you may be suspended from 遇见.")
    return Message(subject=subject, body=body, url=reverse("matching:landing"))


def _compose_suspended(notice: Notice) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("You are suspended from 遇见")
        body = gettext(
            "After a report, the 遇见 moderators have suspended you from 遇见. Nobody sees you in suggestions "
            "any more, and your requests still waiting for an answer are cancelled. If you think this is a "
            "mistake, write to the federation through 巾帼管家.")
    return Message(subject=subject, body=body, url=reverse("matching:profile"))


def _compose_handled(notice: Notice) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your 遇见 report has been handled")
        body = gettext(
            "Thank you for telling us. The 遇见 moderators have looked into your report and taken the steps "
            "they judged right; to protect everyone's privacy we do not share the outcome. You can block "
            "anyone in 遇见 at any time.")
    return Message(subject=subject, body=body, url=reverse("matching:landing"))


WARNED = notice_kind("matching.warned", label=_("遇见: warning after a report"), compose=_compose_warned,
                     permission=PERMISSION)
SUSPENDED = notice_kind("matching.suspended", label=_("遇见: suspended"), compose=_compose_suspended,
                        permission=PERMISSION)
REPORT_HANDLED = notice_kind("matching.report_handled", label=_("遇见: your report was handled"),
                             compose=_compose_handled, permission=PERMISSION)


def notify_warned(*, report: Report) -> int:
    """Tell the reported member she is warned (once per report); sent after commit."""
    return notify(kind=WARNED, recipient=report.reported, key=str(report.pk), target=report)[0]


def notify_suspended(*, user: User, report: Report) -> int:
    """Tell her she is suspended (once per report that suspended her); sent after commit."""
    return notify(kind=SUSPENDED, recipient=user, key=str(report.pk), target=report)[0]


def notify_report_handled(*, report: Report) -> int:
    """Tell the reporter her report was handled, without the outcome (once per report)."""
    return notify(kind=REPORT_HANDLED, recipient=report.reporter, key=str(report.pk), target=report)[0]
