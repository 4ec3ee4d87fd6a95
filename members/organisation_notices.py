"""What representatives are told when staff decide on their organisation, as a kind of the
kernel's outbox (``members.organisation_decision``: verified, or rejected with the reason; one
notice to each representative). The invitation's kind lives with the invitations
(members/invitations.py)."""

from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Addressed, Message, notice_kind, notify_many
from xiangcheng.core.sms import sms_template

from .models import Organisation, OrganisationStatus

ORGANISATION_VERIFIED = sms_template(
    "organisation_verified", _("{organisation} is verified on the portal: it may now post service requests and jobs."),
    ["organisation"])
ORGANISATION_REJECTED = sms_template(
    "organisation_rejected",
    _("{organisation} was not verified. The reason is on the portal; you can correct the details there."),
    ["organisation"])



def _decision_compose(notice: Notice) -> Message:
    organisation: Organisation = notice.target
    verified = notice.data["decision"] == OrganisationStatus.VERIFIED
    with translation.override(settings.LANGUAGE_CODE):
        subject = (gettext("%(name)s is verified") if verified
                   else gettext("%(name)s was not verified")) % {"name": organisation.name}
        body = render_to_string("members/email/organisation_decision.txt", {
            "organisation": organisation, "verified": verified, "reason": notice.data.get("reason", ""),
            "url": settings.SITE_URL + reverse("members:organisation", args=[organisation.pk])})
    sms = (ORGANISATION_VERIFIED if verified else ORGANISATION_REJECTED, {"organisation": organisation.name})
    return Message(subject=subject, body=body, sms=sms, url=reverse("members:organisation", args=[organisation.pk]))


def _decision_applies(notice: Notice) -> bool:
    # Still hers to hear about: the decision stands and she still represents the organisation.
    return Organisation.objects.filter(pk=notice.target_id, status=notice.data["decision"],
                                       representatives__user=notice.recipient_id).exists()


ORGANISATION_DECISION = notice_kind(
    "members.organisation_decision", label=_("Organisation: verification decision"), compose=_decision_compose,
    applies=_decision_applies, permission="members.view_organisation")


def notify_decision(*, organisation: Organisation) -> list[int]:
    """Tell each representative of the decision just made (once per decision and person)."""
    moment = organisation.reviewed_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    users = organisation.representatives.values_list("user_id", flat=True)
    return notify_many(kind=ORGANISATION_DECISION, target_model=Organisation, items=[
        Addressed(recipient_id=user_id, key=f"{organisation.pk}:{moment}:{user_id}", target_id=organisation.pk,
                  data={"decision": organisation.status, "reason": organisation.rejection_reason})
        for user_id in users])
