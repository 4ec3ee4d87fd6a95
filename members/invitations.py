"""Invitations to represent an organisation: sent by a representative, accepted once, by the
account that verified the invited email address or mobile number, within INVITATION_DAYS.

The invitation is a row first; the outbox sends it to the address it names (a kind with an
``address``, see members/organisation_notices.py), so a colleague without an account yet is
reached the same way as everyone else, with the same retries.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiangcheng.core.audit import audit_context

from .models import Organisation, OrganisationInvitation, Representative, User
from .organisation_notices import notify_invitation

INVITATION_DAYS = 7


class InvitationError(Exception):
    """The invitation cannot be used (expired, revoked, used, someone else's); shown to her."""


def invitation_expired(invitation: OrganisationInvitation, *, now=None) -> bool:
    """The one rule for "expired": its link works until ``expires_at``, not after."""
    return (now or timezone.now()) >= invitation.expires_at


def invitation_open(invitation: OrganisationInvitation) -> bool:
    """Still usable by the person it names: not accepted, revoked or expired."""
    return invitation.accepted_at is None and not invitation.revoked and not invitation_expired(invitation)


def _already_represents(*, organisation: Organisation, email: str, phone: str) -> bool:
    reps = User.objects.filter(representations__organisation=organisation)
    if email:
        return EmailAddress.objects.filter(user__in=reps, email__iexact=email, verified=True).exists()
    return reps.filter(phone=phone, phone_verified=True).exists()


def invitation_send(*, organisation: Organisation, invited_by, email: str = "", phone: str = "") -> OrganisationInvitation:
    """Invite a colleague by email address or mobile number (one of them); sent after commit."""
    email, phone = email.strip().lower(), phone.strip()
    if bool(email) == bool(phone):
        raise InvitationError(_("Enter an email address or a mobile number."))
    if _already_represents(organisation=organisation, email=email, phone=phone):
        raise InvitationError(_("This person already represents the organisation."))
    now = timezone.now()
    with transaction.atomic(), audit_context(actor=invited_by):
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
    if invitation.revoked:
        raise InvitationError(_("This invitation was withdrawn by the organisation."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."))
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
