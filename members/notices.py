"""What a member is told when her application is decided."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from xiangcheng.core import outbox

from .models import ReviewDecision


def review_notice_compose(decision: ReviewDecision) -> outbox.Message:
    user = decision.profile.user
    with translation.override(settings.LANGUAGE_CODE):
        approved = decision.decision == ReviewDecision.Decision.APPROVED
        subject = _("Your membership is approved") if approved else _("Your membership application was not approved")
        context = {"decision": decision, "profile": decision.profile, "approved": approved}
        body = render_to_string("members/email/review_notice.txt", context)
        sms = (
            _("[Xiangcheng women in S&T] Welcome! Your membership is approved.")
            if approved
            else _("[Xiangcheng women in S&T] Your application was not approved: %(reason)s. You can edit and re-apply.") % {"reason": decision.reason}
        )
        return outbox.Message(user, subject, body, sms)


def review_notice_deliver(*, decision_id: int) -> bool:
    """Send the decision's notice once: only the worker that claims the row sends it."""
    return outbox.deliver_once(ReviewDecision, decision_id, review_notice_compose, related=["profile__user"])


def review_notices_retry() -> int:
    return outbox.retry_unsent(ReviewDecision, lambda pk: review_notice_deliver(decision_id=pk))
