"""The notice confirming that she withdrew a consent (我的授权), as a kind of the kernel's outbox."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify

from .models import User


def _compose(notice: Notice) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("You withdrew a consent")
        body = render_to_string("members/email/consent_withdrawn.txt", {"what": notice.data["what"]})
    return Message(subject=subject, body=body, url=reverse("members:consents"))


CONSENT_WITHDRAWN = notice_kind("members.consent_withdrawn", label=_("Consents: withdrawn"), compose=_compose,
                                permission="members.view_consent")


def notify_withdrawn(*, user: User, key: str, what: str) -> int:
    """Confirm the withdrawal to her (sent after commit)."""
    return notify(kind=CONSENT_WITHDRAWN, recipient=user, key=f"{user.pk}:{key}", data={"what": what})[0]
