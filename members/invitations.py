"""Invitations to represent an organisation: sent by a representative, accepted once, by the
account that verified the invited email address or mobile number, within INVITATION_DAYS.

The invitation is a row first; the outbox sends it (``members.organisation_invitation``) to the
email address or mobile number it names — the kind's ``address`` — so a colleague without an
account yet is reached through the one outbox, with its retries. The notice's recipient is the
representative who invited, on whose behalf it is sent; it is not listed in her messages.

Inviting sends email and SMS to any address, so it is limited: only a verified organisation's
representatives invite (``may_invite``), at most INVITATIONS_PER_DAY invitations per organisation
and INVITATIONS_PER_ADDRESS to one address within any 24 hours, counted from this table
(``invitation_limit_check``). An invitation is only as good as its sender: one whose inviter no
longer represents the organisation is refused (``invitation_check``), and removing or leaving
revokes her open invitations (``invitations_of_revoke``).
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiangcheng.core.audit import audit_context
from xiangcheng.core.compiled_queries import CompiledQuery, Read
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify
from xiangcheng.core.sms import sms_template

from .models import Organisation, OrganisationInvitation, OrganisationStatus, Representative, User

INVITATION_DAYS = 7
# How many invitations an organisation may send within any 24 hours, in all and to one address.
INVITATIONS_PER_DAY = 10
INVITATIONS_PER_ADDRESS = 3
INVITATION_LIMIT_WINDOW = timedelta(hours=24)


class InvitationError(Exception):
    """The invitation cannot be used (expired, revoked, used, someone else's); shown to her."""


def invitation_expired(invitation: OrganisationInvitation, *, now=None) -> bool:
    """The one rule for "expired": its link works until ``expires_at``, not after."""
    return (now or timezone.now()) >= invitation.expires_at


def invitation_open(invitation: OrganisationInvitation) -> bool:
    """Still usable by the person it names: not accepted, revoked or expired."""
    return invitation.accepted_at is None and not invitation.revoked and not invitation_expired(invitation)


ORGANISATION_INVITATION = sms_template(
    "organisation_invitation",
    gettext_lazy("You are invited to represent {organisation} on the portal. Open {url} within 7 days to accept."),
    ["organisation", "url"])


def invitation_url(invitation: OrganisationInvitation) -> str:
    return settings.SITE_URL + reverse("members:invitation", args=[invitation.token])


def _invitation_compose(notice: Notice) -> Message:
    invitation: OrganisationInvitation = notice.target
    url = invitation_url(invitation)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You are invited to represent %(name)s") % {"name": invitation.organisation.name}
        body = render_to_string("members/email/organisation_invitation.txt", {
            "invitation": invitation, "url": url, "days": INVITATION_DAYS})
    # The link is the invitation's key: sent, never kept on the notice staff read in admin.
    return Message(subject=subject, body=body, hidden=url,
                   sms=(ORGANISATION_INVITATION, {"organisation": invitation.organisation.name, "url": url}))


def _invitation_applies(notice: Notice) -> bool:
    return invitation_open(notice.target)


def _invitation_address(notice: Notice) -> tuple[str, str]:
    return notice.target.email, notice.target.phone


INVITATION = notice_kind(
    "members.organisation_invitation", label=gettext_lazy("Organisation: invitation to represent it"),
    compose=_invitation_compose, applies=_invitation_applies, address=_invitation_address,
    permission="members.view_organisationinvitation",
    targets=lambda: OrganisationInvitation.objects.select_related("organisation"))


def notify_invitation(*, invitation: OrganisationInvitation) -> int:
    """Send the invitation to the address it names, after commit."""
    return notify(kind=INVITATION, recipient=invitation.invited_by, key=str(invitation.pk), target=invitation)[0]


def _already_represents(*, organisation: Organisation, email: str, phone: str) -> bool:
    reps = User.objects.filter(representations__organisation=organisation)
    if email:
        return EmailAddress.objects.filter(user__in=reps, email__iexact=email, verified=True).exists()
    return reps.filter(phone=phone, phone_verified=True).exists()


NOT_VERIFIED = gettext_lazy("Your organisation can invite colleagues once the federation's staff have verified it.")


def may_invite(organisation: Organisation) -> bool:
    """Only a verified organisation's representatives invite: a made-up one sends nothing."""
    return organisation.status == OrganisationStatus.VERIFIED


def invitation_limit_check(*, organisation: Organisation, email: str, phone: str, now=None) -> None:
    """Raise ``InvitationError`` if the organisation sent its INVITATIONS_PER_DAY in the last 24
    hours, or INVITATIONS_PER_ADDRESS to this address. Every invitation sent counts, withdrawn or
    accepted too: each was a message."""
    since = (now or timezone.now()) - INVITATION_LIMIT_WINDOW
    recent = OrganisationInvitation.objects.filter(organisation=organisation, created_at__gt=since)
    if recent.count() >= INVITATIONS_PER_DAY:
        raise InvitationError(_("Your organisation has sent %(n)d invitations in the last 24 hours, the most "
                                "it may. Try again later.") % {"n": INVITATIONS_PER_DAY})
    same = recent.filter(email__iexact=email) if email else recent.filter(phone=phone)
    if same.count() >= INVITATIONS_PER_ADDRESS:
        raise InvitationError(_("Your organisation has invited this address %(n)d times in the last 24 hours, "
                                "the most it may. Try again later.") % {"n": INVITATIONS_PER_ADDRESS})


def invitation_send(*, organisation: Organisation, invited_by, email: str = "", phone: str = "") -> OrganisationInvitation:
    """Invite a colleague by email address or mobile number (one of them); sent after commit.
    Only a verified organisation invites, within its limits (``invitation_limit_check``)."""
    email, phone = email.strip().lower(), phone.strip()
    now = timezone.now()
    with transaction.atomic(), audit_context(actor=invited_by):
        # Locked: two sends at once are counted one after the other, not both against the same count.
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not may_invite(organisation):
            raise InvitationError(str(NOT_VERIFIED))
        if bool(email) == bool(phone):
            raise InvitationError(_("Enter an email address or a mobile number."))
        if _already_represents(organisation=organisation, email=email, phone=phone):
            raise InvitationError(_("This person already represents the organisation."))
        invitation_limit_check(organisation=organisation, email=email, phone=phone, now=now)
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation, invited_by=invited_by, email=email, phone=phone,
            token=secrets.token_urlsafe(32), expires_at=now + timedelta(days=INVITATION_DAYS))
        notify_invitation(invitation=invitation)
    return invitation


def invitation_revoke(*, organisation: Organisation, invitation_pk: int, actor) -> OrganisationInvitation:
    """Withdraw an open invitation of her organisation (404 for any other)."""
    with transaction.atomic(), audit_context(actor=actor, reason=_("Invitation revoked")):
        invitation = (OrganisationInvitation.objects.select_for_update()
                      .filter(organisation=organisation, pk=invitation_pk, accepted_at__isnull=True).first())
        if invitation is None:
            raise Http404
        invitation.revoked = True
        invitation.save(update_fields=["revoked"])
    return invitation


def invitations_of_revoke(*, organisation: Organisation, inviter) -> int:
    """Revoke the open invitations she sent for the organisation (she stops representing it), in
    the caller's transaction and audit context. Returns how many."""
    return (OrganisationInvitation.objects
            .filter(organisation=organisation, invited_by=inviter, accepted_at__isnull=True, revoked=False)
            .update(revoked=True))


_UNANSWERED = CompiledQuery(lambda organisation_id: OrganisationInvitation.objects.filter(
    organisation_id=organisation_id, accepted_at__isnull=True, revoked=False).order_by("-created_at", "-pk"),
    organisation_id=int)


def invitations_unanswered_read(*, organisation_id: int, shown: int) -> Read:
    """The newest ``shown`` of its invitations neither accepted nor revoked (its workbench lists
    them; their SQL built once per process), to be read with the workbench's other rows."""
    return _UNANSWERED.listing(organisation_id=organisation_id).read(0, shown)


def invitation_by_token(token: str) -> OrganisationInvitation:
    invitation = OrganisationInvitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None:
        raise Http404
    return invitation


def addressed_to(invitation: OrganisationInvitation, user) -> bool:
    """Whether ``user`` has verified the address the invitation was sent to."""
    if invitation.email:
        return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
    return user.phone == invitation.phone and user.phone_verified


def invitation_check(invitation: OrganisationInvitation, *, user) -> None:
    """Raise ``InvitationError`` saying why she cannot accept it, if she cannot."""
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."))
    if not Representative.objects.filter(organisation_id=invitation.organisation_id,
                                         user_id=invitation.invited_by_id).exists():
        raise InvitationError(_("This invitation is no longer valid: whoever sent it no longer represents "
                                "the organisation."))
    if invitation.revoked:
        raise InvitationError(_("This invitation was withdrawn by the organisation."))
    if invitation_expired(invitation):
        raise InvitationError(_("This invitation has expired. Ask the organisation to invite you again."))
    if not addressed_to(invitation, user):
        raise InvitationError(_("This invitation was sent to another email address or mobile number. "
                                "Sign in with the account that uses it (and has verified it)."))


def invitation_accept(*, token: str, user) -> Organisation:
    """She accepts: she represents the organisation from now on. Works once."""
    with transaction.atomic(), audit_context(actor=user, reason=_("Accepted an invitation")):
        invitation = invitation_by_token(token)
        # Locked: two clicks (or two accounts) at once use it once.
        invitation = OrganisationInvitation.objects.select_for_update().select_related("organisation").get(
            pk=invitation.pk)
        invitation_check(invitation, user=user)
        Representative.objects.get_or_create(organisation=invitation.organisation, user=user,
                                             defaults={"invited_by": invitation.invited_by})
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation.organisation
