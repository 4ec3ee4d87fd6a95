"""Invitations: a representative invites a colleague by email or mobile (sent through the outbox to
that address, even with no account behind it); the colleague accepts once, with the account that
verified that address, within seven days. Expired, withdrawn, used or someone else's: a clear page.
Only a verified organisation invites, within its daily limits; removing or leaving revokes what she sent."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from members.invitations import INVITATION_DAYS, InvitationError, invitation_expired, invitation_send
from members.models import OrganisationInvitation, OrganisationStatus, Representative
from tests.factories import UserFactory
from tests.helpers import email_subject, squash, zh
from xiangcheng.core import audit, sms
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import HIDDEN_MARK

from .organisation_factories import organisation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine():
    user = UserFactory()
    return user, organisation_with(user, name="相城薄膜材料公司", status=OrganisationStatus.VERIFIED)


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
    # The link is the invitation's key: staff reading the notice in admin do not see it.
    assert invitation.token not in notice.body + notice.url + str(notice.data)
    assert f"/members/invitations/{invitation.token}/" not in notice.body
    assert HIDDEN_MARK in notice.body


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
    other = organisation_with(status=OrganisationStatus.VERIFIED)
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


# --- Who may invite, and how often ---------------------------------------------------------------

NOT_VERIFIED = "Your organisation can invite colleagues once the federation's staff have verified it."


@pytest.mark.parametrize("status", [OrganisationStatus.PENDING, OrganisationStatus.REJECTED])
def test_an_organisation_not_verified_cannot_invite(client, outbox, django_capture_on_commit_callbacks, status):
    user = UserFactory()
    organisation = organisation_with(user, status=status)
    client.force_login(user)
    page = client.get(f"/members/organisations/{organisation.pk}/")
    # The workbench says why, and offers no form.
    assert zh(NOT_VERIFIED) in squash(page.content.decode())
    assert invite_url(organisation) not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(organisation), {"email": "anyone@example.cn", "phone": ""})
    assert (response.status_code, response.context["invite_form"].non_field_errors()) == (400, [zh(NOT_VERIFIED)])
    assert (OrganisationInvitation.objects.count(), Notice.objects.count(), outbox) == (0, 0, [])


def test_the_eleventh_invitation_within_24_hours_is_refused(client, mine, outbox, django_capture_on_commit_callbacks):
    user, organisation = mine
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            assert client.post(invite_url(organisation), {"email": f"c{n}@example.cn", "phone": ""}).status_code == 302
        response = client.post(invite_url(organisation), {"email": "c10@example.cn", "phone": ""})
    assert response.status_code == 400
    assert response.context["invite_form"].non_field_errors() == [zh(
        "Your organisation has sent %(n)d invitations in the last 24 hours, the most it may. Try again later.") % {
        "n": 10}]
    # The form keeps what she typed.
    assert response.context["invite_form"]["email"].value() == "c10@example.cn"
    assert (OrganisationInvitation.objects.count(), len(outbox)) == (10, 10)


def test_one_address_is_invited_at_most_three_times_within_24_hours(mine):
    user, organisation = mine
    for _n in range(3):
        invited(organisation, user, phone="13900007777")
    with pytest.raises(InvitationError) as refused:
        invited(organisation, user, phone="13900007777")
    assert str(refused.value) == zh("Your organisation has invited this address %(n)d times in the last 24 hours, "
                                    "the most it may. Try again later.", n=3)
    # Another address still may.
    invited(organisation, user, phone="13900008888")
    assert OrganisationInvitation.objects.count() == 4


def test_the_limit_counts_only_the_last_24_hours(mine):
    user, organisation = mine
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(10):
            invited(organisation, user, email=f"c{n}@example.cn")
    # Withdrawn ones were sent too: they count.
    OrganisationInvitation.objects.update(revoked=True)
    with time_machine.travel(start + timedelta(hours=24, seconds=-1), tick=False), pytest.raises(InvitationError):
        invited(organisation, user, email="late@example.cn")
    with time_machine.travel(start + timedelta(hours=24), tick=False):
        invited(organisation, user, email="late@example.cn")
    assert OrganisationInvitation.objects.filter(email="late@example.cn").count() == 1


# --- An invitation is only as good as whoever sent it --------------------------------------------

NO_LONGER_VALID = ("This invitation is no longer valid: whoever sent it no longer represents the organisation.")


def test_removing_the_inviter_makes_her_invitations_no_longer_valid(client, mine):
    user, organisation = mine
    inviter = UserFactory()
    Representative.objects.create(organisation=organisation, user=inviter)
    second_address = UserFactory(email="her.other@example.cn")
    invitation = invited(organisation, inviter, email="her.other@example.cn")
    removal = Representative.objects.get(organisation=organisation, user=inviter)
    client.force_login(user)
    assert client.post(f"/members/organisations/{organisation.pk}/representatives/{removal.pk}/remove/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked is True
    # Recorded in the audit trail, with who and why, as every other change.
    last = audit.history(invitation)[-1]
    assert (last.actor_id, last.reason, [(c.name, c.old, c.new) for c in last.changes]) == (
        user.pk, zh("Removed by another representative"), [("revoked", False, True)])
    client.force_login(second_address)
    page = client.get(f"/members/invitations/{invitation.token}/")
    assert page.context["problem"] == zh(NO_LONGER_VALID)
    response = accept(client, invitation)
    assert (response.status_code, response.context["problem"]) == (400, zh(NO_LONGER_VALID))
    assert not organisation.representatives.filter(user=second_address).exists()


def test_leaving_revokes_her_open_invitations_and_only_hers(client, mine):
    user, organisation = mine
    colleague = UserFactory()
    Representative.objects.create(organisation=organisation, user=colleague)
    hers = invited(organisation, user, email="a@example.cn")
    theirs = invited(organisation, colleague, email="b@example.cn")
    client.force_login(user)
    assert client.post(f"/members/organisations/{organisation.pk}/leave/").status_code == 302
    hers.refresh_from_db()
    theirs.refresh_from_db()
    assert (hers.revoked, theirs.revoked) == (True, False)


def test_an_invitation_whose_inviter_is_gone_is_refused_even_if_not_revoked(client, mine):
    """The rule itself, not only the revocation: the inviter must still represent it."""
    user, organisation = mine
    inviter = UserFactory()
    Representative.objects.create(organisation=organisation, user=inviter)
    invitation = invited(organisation, inviter, email="c@example.cn")
    Representative.objects.filter(user=inviter).delete()  # a staff data fix, say: nothing revoked
    client.force_login(UserFactory(email="c@example.cn"))
    response = accept(client, invitation)
    assert (response.status_code, response.context["problem"]) == (400, zh(NO_LONGER_VALID))
    assert not organisation.representatives.filter(user__email="c@example.cn").exists()
