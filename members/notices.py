"""What a member is told when her application is decided."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core import outbox
from xiangcheng.core.sms import sms_template

from .models import ReviewDecision

MEMBERSHIP_APPROVED = sms_template(
    "membership_approved", gettext_lazy("Welcome! Your membership of the alliance is approved."))
MEMBERSHIP_REJECTED = sms_template(
    "membership_rejected",
    gettext_lazy("Your membership application was not approved. The reason is on the portal; you can edit and re-apply."))


def review_notice_compose(decision: ReviewDecision) -> outbox.Message:
    user = decision.profile.user
    with translation.override(settings.LANGUAGE_CODE):
        approved = decision.decision == ReviewDecision.Decision.APPROVED
        subject = _("Your membership is approved") if approved else _("Your membership application was not approved")
        context = {"decision": decision, "profile": decision.profile, "approved": approved}
        body = render_to_string("members/email/review_notice.txt", context)
        sms = (MEMBERSHIP_APPROVED if approved else MEMBERSHIP_REJECTED, {})
        return outbox.Message(user, subject, body, sms)


def review_notice_deliver(*, decision_id: int) -> bool:
    """Send the decision's notice once: only the worker that claims the row sends it."""
    return outbox.deliver_once(ReviewDecision, decision_id, review_notice_compose, related=["profile__user"])


def review_notices_retry() -> int:
    return outbox.retry_unsent(ReviewDecision, lambda pk: review_notice_deliver(decision_id=pk))
