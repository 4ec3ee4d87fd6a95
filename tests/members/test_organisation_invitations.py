"""Invitations: a representative invites a colleague by email or mobile (sent through the outbox to
that address, even with no account behind it); the colleague accepts once, with the account that
verified that address, within seven days. Expired, withdrawn, used or someone else's: a clear page."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from members.invitations import INVITATION_DAYS, invitation_expired, invitation_send
from members.models import OrganisationInvitation, Representative
from tests.factories import UserFactory
from tests.helpers import email_subject, zh
from xiangcheng.core import sms
from xiangcheng.core.models import Notice

from .organisation_factories import organisation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine():
    user = UserFactory()
    return user, organisation_with(user, name="相城薄膜材料公司")


def invite_url(organisation):
    return f"/members/organisations/{organisation.pk}/invite/"


def test_an_invitation_by_email_is_sent_to_that_address(client, mine, outbox, django_capture_on_commit_callbacks):
    user, organisation = mine
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(organisation), {"email": "Colleague@Example.cn", "phone": ""})
    assert (response.status_code, response.url) == (302, f"/members/organisations/{organisation.pk}/")
    invitation = OrganisationInvitation.objects.get()
    assert (invitation.email, invitation.phone, invitation.invited_by, invitation.expires_at - invitation.created_at
            > timedelta(days=INVITATION_DAYS) - timedelta(seconds=5)) == ("colleague@example.cn", "", user, True)
    assert [(m.to, m.subject) for m in outbox] == [
        (["colleague@example.cn"], email_subject("You are invited to represent %(name)s", name="相城薄膜材料公司"))]
    assert f"/members/invitations/{invitation.token}/" in outbox[0].body
    notice = Notice.objects.get()
    # Sent on her behalf, not listed in her messages.
    assert (notice.kind, notice.recipient, notice.staff_only, notice.state) == (
        "members.organisation_invitation", user, True, Notice.State.SENT)


def test_an_invitation_by_mobile_is_an_sms_to_that_number(client, mine, outbox, django_capture_on_commit_callbacks):
    user, organisation = mine
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_url(organisation), {"email": "", "phone": "139 0000 7777"})
    invitation = OrganisationInvitation.objects.get()
    assert outbox == []
    assert [(s.phone, s.template, s.params) for s in sms.outbox] == [
        ("13900007777", "organisation_invitation",
         {"organisation": "相城薄膜材料公司", "url": f"{settings.SITE_URL}/members/invitations/{invitation.token}/"})]


@pytest.mark.parametrize(("data", "msgid"), [
    ({"email": "", "phone": ""}, "Enter an email address or a mobile number."),
    ({"email": "a@example.cn", "phone": "13900007777"}, "Enter either an email address or a mobile number, not both."),
])
def test_an_invitation_needs_exactly_one_address(client, mine, data, msgid):
    user, organisation = mine
    client.force_login(user)
    response = client.post(invite_url(organisation), data)
    assert response.status_code == 400
    assert response.context["invite_form"].non_field_errors() == [zh(msgid)]
    assert OrganisationInvitation.objects.count() == 0


def test_inviting_someone_who_already_represents_it_says_so(client, mine):
    user, organisation = mine
    client.force_login(user)
    response = client.post(invite_url(organisation), {"email": user.email, "phone": ""})
    assert response.context["invite_form"].non_field_errors() == [
        zh("This person already represents the organisation.")]


def invited(organisation, inviter, **address):
    return invitation_send(organisation=organisation, invited_by=inviter, **address)


def accept(client, invitation):
    return client.post(f"/members/invitations/{invitation.token}/")


def test_the_invited_colleague_accepts_once_with_her_verified_email(client, mine):
    user, organisation = mine
    colleague = UserFactory(email="colleague@example.cn")
    invitation = invited(organisation, user, email="colleague@example.cn")
    client.force_login(colleague)
    assert zh("Accept the invitation") in client.get(f"/members/invitations/{invitation.token}/").content.decode()
    response = accept(client, invitation)
    assert (response.status_code, response.url) == (302, f"/members/organisations/{organisation.pk}/")
    assert Representative.objects.filter(organisation=organisation, user=colleague, invited_by=user).exists()
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (colleague, True)
    # Used: a second click says so.
    response = accept(client, invitation)
    assert response.status_code == 400
    assert response.context["problem"] == zh("This invitation has already been used.")


def test_a_colleague_invited_by_mobile_accepts_with_her_verified_number(client, mine):
    user, organisation = mine
    colleague = UserFactory(email="", phone="13900007777", phone_verified=True)
    invitation = invited(organisation, user, phone="13900007777")
    client.force_login(colleague)
    assert accept(client, invitation).status_code == 302
    assert organisation.representatives.filter(user=colleague).exists()


def test_a_visitor_opening_the_link_is_asked_to_sign_in_first(client, mine):
    user, organisation = mine
    invitation = invited(organisation, user, email="colleague@example.cn")
    response = client.get(f"/members/invitations/{invitation.token}/")
    assert (response.status_code, response.url) == (
        302, f"/accounts/login/?next=/members/invitations/{invitation.token}/")


def test_someone_elses_invitation_is_refused_with_a_clear_page(client, mine):
    user, organisation = mine
    invitation = invited(organisation, user, email="colleague@example.cn")
    stranger = UserFactory()
    # An unverified claim of the address is not enough either.
    EmailAddress.objects.create(user=stranger, email="colleague@example.cn", verified=False, primary=False)
    client.force_login(stranger)
    message = zh("This invitation was sent to another email address or mobile number. "
                 "Sign in with the account that uses it (and has verified it).")
    assert client.get(f"/members/invitations/{invitation.token}/").context["problem"] == message
    response = accept(client, invitation)
    assert (response.status_code, response.context["problem"]) == (400, message)
    assert not organisation.representatives.filter(user=stranger).exists()


def test_an_expired_invitation_is_refused(client, mine):
    user, organisation = mine
    colleague = UserFactory(email="colleague@example.cn")
    invitation = invited(organisation, user, email="colleague@example.cn")
    client.force_login(colleague)
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1)):
        assert invitation_expired(invitation) is False
    with time_machine.travel(invitation.expires_at):
        assert invitation_expired(invitation) is True
        response = accept(client, invitation)
    assert (response.status_code, response.context["problem"]) == (
        400, zh("This invitation has expired. Ask the organisation to invite you again."))
    assert not organisation.representatives.filter(user=colleague).exists()


def test_a_withdrawn_invitation_is_refused_and_is_not_sent(client, mine, outbox, django_capture_on_commit_callbacks):
    user, organisation = mine
    colleague = UserFactory(email="colleague@example.cn")
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invited(organisation, user, email="colleague@example.cn")
    client.force_login(user)
    withdraw = f"/members/organisations/{organisation.pk}/invitations/{invitation.pk}/withdraw/"
    assert zh("Withdraw this invitation?") in client.get(withdraw).content.decode()
    assert client.post(withdraw).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked is True
    # Its delivery, when its turn comes, no longer applies.
    from xiangcheng.core.outbox import deliver

    assert deliver(notice_id=Notice.objects.get().pk) is False
    assert outbox == []
    client.force_login(colleague)
    response = accept(client, invitation)
    assert (response.status_code, response.context["problem"]) == (
        400, zh("This invitation was withdrawn by the organisation."))


def test_another_organisations_invitation_cannot_be_withdrawn(client, mine):
    user, organisation = mine
    other = organisation_with()
    theirs = invited(other, other.representatives.get().user, email="x@example.cn")
    client.force_login(user)
    assert client.post(f"/members/organisations/{organisation.pk}/invitations/{theirs.pk}/withdraw/").status_code == 404
    assert client.post(f"/members/organisations/{other.pk}/invitations/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked is False


def test_an_unknown_token_is_404(client):
    client.force_login(UserFactory())
    assert client.get("/members/invitations/nothing-like-it/").status_code == 404


def test_the_expiry_rule_is_seven_days_from_sending(mine):
    user, organisation = mine
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        invitation = invited(organisation, user, email="c@example.cn")
    assert invitation.expires_at == now + timedelta(days=7)
