"""What 遇见's moderation tells members, as kinds of the kernel's one outbox.

The reported member is told when she is warned or suspended; the member who reported is told
only that her report was handled, never what was decided about the other person. No SMS: none
of these is urgent, and a text message about a report could be read by someone else.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from members.models import User
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify

from .models import Report

PERMISSION = "matching.view_report"


# Each kind's subject, body and the page it points to (the texts need no data: they name nobody).
_TEXTS = {
    "matching.warned": (
        gettext_noop("A reminder of 遇见's rules"),
        gettext_noop(
            "Another participant reported something in 遇见, and the 遇见 moderators have looked into it. "
            "Please treat everyone you meet in 遇见 with respect, tell the truth about yourself, and do not "
            "ask anyone for money. If it happens again, you may be suspended from 遇见."),
        "matching:landing"),
    "matching.suspended": (
        gettext_noop("You are suspended from 遇见"),
        gettext_noop(
            "After a report, the 遇见 moderators have suspended you from 遇见. Nobody sees you in suggestions "
            "any more, and your requests still waiting for an answer are cancelled. If you think this is a "
            "mistake, write to the federation through 巾帼管家."),
        "matching:profile"),
    "matching.report_handled": (
        gettext_noop("Your 遇见 report has been handled"),
        gettext_noop(
            "Thank you for telling us. The 遇见 moderators have looked into your report and taken the steps "
            "they judged right; to protect everyone's privacy we do not share the outcome. You can block "
            "anyone in 遇见 at any time."),
        "matching:landing"),
}


def _compose(notice: Notice) -> Message:
    subject, body, page = _TEXTS[notice.kind]
    with translation.override(settings.LANGUAGE_CODE):
        return Message(subject=gettext(subject), body=gettext(body), url=reverse(page))


WARNED = notice_kind("matching.warned", label=_("遇见: warning after a report"), compose=_compose,
                     permission=PERMISSION)
SUSPENDED = notice_kind("matching.suspended", label=_("遇见: suspended"), compose=_compose, permission=PERMISSION)
REPORT_HANDLED = notice_kind("matching.report_handled", label=_("遇见: your report was handled"), compose=_compose,
                             permission=PERMISSION)


def notify_warned(*, report: Report) -> int:
    """Tell the reported member she is warned (once per report); sent after commit."""
    return notify(kind=WARNED, recipient=report.reported, key=str(report.pk), target=report)[0]


def notify_suspended(*, user: User, report: Report) -> int:
    """Tell her she is suspended (once per report that suspended her); sent after commit."""
    return notify(kind=SUSPENDED, recipient=user, key=str(report.pk), target=report)[0]


def notify_report_handled(*, report: Report) -> int:
    """Tell the reporter her report was handled, without the outcome (once per report)."""
    return notify(kind=REPORT_HANDLED, recipient=report.reporter, key=str(report.pk), target=report)[0]
