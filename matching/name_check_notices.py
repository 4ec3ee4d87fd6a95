"""What a single talent who joined 交友 alone is told when 遇见审核 decides on her real name
(a kind of the kernel's outbox; the SMS carries no free text, so the reason is in the email,
in 我的消息 and on her 遇见 page)."""

from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify
from xiangcheng.core.sms import sms_template

from .models import MatchProfile, MatchStatus

NAME_VERIFIED = sms_template(
    "meet_name_verified", _("Your real name is verified: you now take part in 遇见 交友."))
NAME_REJECTED = sms_template(
    "meet_name_rejected",
    _("Your real name for 遇见 交友 could not be verified. The reason is on the portal; you can correct it."))


def _compose(notice: Notice) -> Message:
    verified = notice.data["decision"] == MatchStatus.ACTIVE
    # Her name is read from her profile, not kept on the notice: leaving 遇见 deletes it.
    name = MatchProfile.objects.values_list("real_name", flat=True).get(pk=notice.target_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = (gettext("遇见: your real name is verified") if verified
                   else gettext("遇见: your real name could not be verified"))
        body = render_to_string("matching/alone/email/name_check.txt", {
            "name": name, "verified": verified, "reason": notice.data.get("reason", "")})
    return Message(subject=subject, body=body, sms=(NAME_VERIFIED if verified else NAME_REJECTED, {}),
                   url=reverse("matching:alone_profile"))


def _applies(notice: Notice) -> bool:
    # A decision she has since moved past (corrected and verified, left 遇见) is old news.
    return MatchProfile.objects.filter(pk=notice.target_id, status=notice.data["decision"]).exists()


NAME_CHECK = notice_kind("matching.name_check", label=_("遇见: real-name check"), compose=_compose,
                         applies=_applies, permission="matching.view_namecheck")


def notify_name_check(*, profile: MatchProfile) -> int:
    """Tell her of the decision just made on her real name (once per decision); sent after commit."""
    key = f"{profile.pk}:{profile.checked_at.astimezone(UTC).strftime('%Y%m%d%H%M%S%f')}"
    return notify(kind=NAME_CHECK, recipient=profile.user, key=key, target=profile,
                  data={"decision": profile.status, "reason": profile.check_reason})[0]
