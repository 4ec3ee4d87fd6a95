"""A new privacy policy is asked for at her next login: she cannot use member pages until she
accepts it (recorded with the new version and the time), and she may log out instead."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from members.consents import consent_grant, privacy_policy_outdated
from members.models import Consent
from tests.factories import PASSWORD, MemberProfileFactory, StaffFactory
from tests.helpers import messages_of, zh

pytestmark = pytest.mark.django_db

LOGIN, ACCEPT = "/accounts/login/", "/members/privacy/accept/"
OLD, NEW = "2026-11", "2027-03"


def login(client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def policy_versions(user) -> list[str]:
    return list(Consent.objects.filter(user=user, kind=Consent.Kind.PRIVACY_POLICY, withdrawn_at__isnull=True)
                .order_by("granted_at").values_list("version", flat=True))


@pytest.fixture
def her(settings):
    settings.PRIVACY_POLICY_VERSION = OLD
    user = MemberProfileFactory(real_name="林晓雯").user
    consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
    return user


def test_a_new_version_is_asked_at_login_and_she_uses_nothing_until_she_accepts(client, her, settings):
    assert login(client, her).url == "/members/profile/"  # the version she accepted: not asked
    client.logout()
    settings.PRIVACY_POLICY_VERSION = NEW
    assert privacy_policy_outdated(user=her)

    response = login(client, her)
    assert (response.status_code, response.url) == (302, ACCEPT)
    assert SESSION_KEY not in client.session  # not signed in yet
    assert client.get("/members/consents/").url == "/accounts/login/?next=/members/consents/"
    page = client.get(ACCEPT)
    assert page.status_code == 200
    assert NEW in page.content.decode()

    # Without the box ticked: a clear error, still not signed in, nothing recorded.
    refused = client.post(ACCEPT, {"accept": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors["accept_privacy"] == [
        zh("Tick the box to accept the privacy policy, or log out.")]
    assert SESSION_KEY not in client.session
    assert policy_versions(her) == [OLD]

    before = timezone.now()
    accepted = client.post(ACCEPT, {"accept_privacy": "on", "accept": ""})
    assert (accepted.status_code, accepted.url) == (302, "/members/profile/")
    assert int(client.session[SESSION_KEY]) == her.pk
    assert policy_versions(her) == [OLD, NEW]
    assert Consent.objects.get(user=her, version=NEW).granted_at >= before
    assert not privacy_policy_outdated(user=her)
    assert client.get("/members/consents/").status_code == 200

    client.logout()
    assert login(client, her).url == "/members/profile/"  # asked once


def test_she_may_log_out_instead(client, her, settings):
    settings.PRIVACY_POLICY_VERSION = NEW
    login(client, her)
    response = client.post(ACCEPT, {"decline": ""}, follow=True)
    assert response.redirect_chain == [(LOGIN, 302)]
    assert messages_of(response) == [
        zh("You are not logged in. You can log in again when you are ready to accept.")]
    assert SESSION_KEY not in client.session
    assert client.get(ACCEPT).url == LOGIN  # the pending login is gone
    assert policy_versions(her) == [OLD]


def test_the_page_is_only_a_login_stage(client, her):
    assert client.get(ACCEPT).url == LOGIN
    client.force_login(her)
    assert client.get(ACCEPT).url == "/members/profile/"


def test_accounts_that_never_accepted_a_member_policy_are_not_asked(client, settings):
    settings.PRIVACY_POLICY_VERSION = NEW
    staff = StaffFactory()
    assert not privacy_policy_outdated(user=staff)
    assert login(client, staff).status_code == 302
    assert int(client.session[SESSION_KEY]) == staff.pk
