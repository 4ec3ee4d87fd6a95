"""What representatives and invited colleagues are told, as kinds of the kernel's outbox.

- ``members.organisation_decision``: staff verified or rejected the organisation (with the
  reason); one notice to each representative.
- ``members.organisation_invitation``: a representative invited a colleague, who may have no
  account yet. The outbox sends it to the email address or mobile number typed in the invitation
  (the kind's ``address``); its recipient is the representative who invited, on whose behalf it
  is sent, and it is not listed in her messages.
"""

from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Addressed, Message, notice_kind, notify, notify_many
from xiangcheng.core.sms import sms_template

from .models import Organisation, OrganisationInvitation, OrganisationStatus

ORGANISATION_VERIFIED = sms_template(
    "organisation_verified", _("{organisation} is verified on the portal: it may now post service requests and jobs."),
    ["organisation"])
ORGANISATION_REJECTED = sms_template(
    "organisation_rejected",
    _("{organisation} was not verified. The reason is on the portal; you can correct the details there."),
    ["organisation"])
ORGANISATION_INVITATION = sms_template(
    "organisation_invitation",
    _("You are invited to represent {organisation} on the portal. Open {url} within 7 days to accept."),
    ["organisation", "url"])


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


def invitation_url(invitation: OrganisationInvitation) -> str:
    return settings.SITE_URL + reverse("members:invitation", args=[invitation.token])


def _invitation_compose(notice: Notice) -> Message:
    from .invitations import INVITATION_DAYS

    invitation: OrganisationInvitation = notice.target
    url = invitation_url(invitation)
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("You are invited to represent %(name)s") % {"name": invitation.organisation.name}
        body = render_to_string("members/email/organisation_invitation.txt", {
            "invitation": invitation, "url": url, "days": INVITATION_DAYS})
    return Message(subject=subject, body=body,
                   sms=(ORGANISATION_INVITATION, {"organisation": invitation.organisation.name, "url": url}))


def _invitation_applies(notice: Notice) -> bool:
    from .invitations import invitation_open

    return invitation_open(notice.target)


def _invitation_address(notice: Notice) -> tuple[str, str]:
    return notice.target.email, notice.target.phone


INVITATION = notice_kind(
    "members.organisation_invitation", label=_("Organisation: invitation to represent it"),
    compose=_invitation_compose, applies=_invitation_applies, address=_invitation_address,
    permission="members.view_organisationinvitation",
    targets=lambda: OrganisationInvitation.objects.select_related("organisation"))


def notify_decision(*, organisation: Organisation) -> list[int]:
    """Tell each representative of the decision just made (once per decision and person)."""
    moment = organisation.reviewed_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    users = organisation.representatives.values_list("user_id", flat=True)
    return notify_many(kind=ORGANISATION_DECISION, target_model=Organisation, items=[
        Addressed(recipient_id=user_id, key=f"{organisation.pk}:{moment}:{user_id}", target_id=organisation.pk,
                  data={"decision": organisation.status, "reason": organisation.rejection_reason})
        for user_id in users])


def notify_invitation(*, invitation: OrganisationInvitation) -> int:
    """Send the invitation to the address it names, after commit."""
    return notify(kind=INVITATION, recipient=invitation.invited_by, key=str(invitation.pk), target=invitation)[0]
