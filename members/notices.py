"""What a member is told when her application is decided, as a kind of the kernel's outbox."""

from datetime import UTC, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify
from xiangcheng.core.sms import sms_template

from .models import MemberProfile, Status

MEMBERSHIP_APPROVED = sms_template(
    "membership_approved", _("Welcome! Your membership of the alliance is approved."))
MEMBERSHIP_REJECTED = sms_template(
    "membership_rejected",
    _("Your membership application was not approved. The reason is on the portal; you can edit and re-apply."))


def _compose(notice: Notice) -> Message:
    approved = notice.data["decision"] == Status.APPROVED
    profile = MemberProfile.objects.get(pk=notice.target_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = (gettext("Your membership is approved") if approved
                   else gettext("Your membership application was not approved"))
        body = render_to_string("members/email/review_notice.txt", {
            "profile": profile, "approved": approved, "reason": notice.data.get("reason", "")})
    sms = (MEMBERSHIP_APPROVED if approved else MEMBERSHIP_REJECTED, {})
    return Message(subject=subject, body=body, sms=sms, url=reverse("members:profile"))


def _applies(notice: Notice) -> bool:
    # A decision she has since moved past (rejected, re-applied and approved) is old news.
    return MemberProfile.objects.filter(pk=notice.target_id, status=notice.data["decision"]).exists()


DECISION = notice_kind("members.decision", label=_("Membership: decision"), compose=_compose, applies=_applies,
                       permission="members.view_memberprofile")


def decision_key(profile_id: int, reviewed_at: datetime) -> str:
    """What tells one decision on her profile from another: when it was made, in UTC."""
    return f"{profile_id}:{reviewed_at.astimezone(UTC).strftime('%Y%m%d%H%M%S%f')}"


def notify_decision(*, profile: MemberProfile) -> int:
    """Tell her of the decision just made on her profile (once per decision); sent after commit."""
    key = decision_key(profile.pk, profile.reviewed_at)
    return notify(kind=DECISION, recipient=profile.user, key=key, target=profile,
                  data={"decision": profile.status, "reason": profile.rejection_reason})[0]
