"""An unverified mobile number blocks nobody; stale unverified accounts are cleaned up."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from members.models import Consent, User
from members.phone_numbers import phone_verify, stale_unverified_accounts_clean
from tests.events.factories import RegistrationFactory
from tests.factories import MemberProfileFactory, UserFactory
from tests.services.helpers import submit

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
PASSWORD = "Xiangcheng-2026-safe"
NUMBER = "13800001111"
# The tests' own now (on a pinned clock too): sessions written at NOW must not have expired
# when the test reads them afterwards.
NOW = timezone.now().replace(microsecond=0)


def sign_up(client, phone: str, password: str = PASSWORD):
    return client.post(SIGNUP, {"email": "", "phone": phone, "password1": password, "password2": password,
                                "accept_privacy": "on"})


def code_from(sms) -> str:
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


def test_the_owner_signs_up_with_a_number_someone_else_claimed_and_takes_it(client, sms_outbox):
    with time_machine.travel(NOW - timedelta(days=2)):
        assert sign_up(client, NUMBER, "Squatter-2026-pass").status_code == 302
    squatter = User.objects.get()
    client.logout()
    client.cookies.clear()

    # The real owner: a new account, and a code (not "this number already has an account").
    response = sign_up(client, "+86 138 0000 1111")
    assert (response.status_code, response.url) == (302, reverse("account_verify_phone"))
    owner = User.objects.exclude(pk=squatter.pk).get()
    assert (owner.phone, owner.phone_verified) == (NUMBER, False)
    assert [s.template for s in sms_outbox] == ["verification_code", "verification_code"]

    response = client.post(reverse("account_verify_phone"), {"code": code_from(sms_outbox[1])})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == owner.pk
    owner.refresh_from_db()
    squatter.refresh_from_db()
    assert (owner.phone, owner.phone_verified) == (NUMBER, True)
    assert (squatter.phone, squatter.phone_verified) == (None, False)


def test_the_owner_can_reset_her_password_once_she_verified(client, make_phone_user, sms_outbox):
    make_phone_user(NUMBER, verified=False)
    client.post(reverse("members:phone_reset"), {"phone": NUMBER})
    assert [s.template for s in sms_outbox] == ["password_reset_no_account"]
    owner = make_phone_user(NUMBER, verified=False)
    phone_verify(user=owner, phone=NUMBER)
    client.post(reverse("members:phone_reset"), {"phone": NUMBER})
    assert [s.template for s in sms_outbox] == ["password_reset_no_account", "password_reset_code"]


def test_a_verified_number_still_cannot_be_taken(client, make_phone_user, sms_outbox):
    holder = make_phone_user(NUMBER)
    sign_up(client, NUMBER)
    assert list(User.objects.filter(phone=NUMBER).values_list("pk", flat=True)) == [holder.pk]
    assert [s.template for s in sms_outbox] == ["account_exists"]


def test_the_database_allows_one_verified_holder_and_any_number_of_claims(make_phone_user):
    make_phone_user(NUMBER, verified=False)
    make_phone_user(NUMBER, verified=False)
    make_phone_user(NUMBER, verified=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_phone_user(NUMBER, verified=True)
    assert User.objects.filter(phone=NUMBER).count() == 3


def test_each_claimant_logs_in_to_her_own_account_and_the_one_who_verifies_keeps_the_number(
        client, make_phone_user, sms_outbox):
    first = make_phone_user(NUMBER, verified=False, password="First-claim-2026")
    second = make_phone_user(NUMBER, verified=False, password="Second-claim-2026")
    with time_machine.travel(NOW):
        response = client.post(LOGIN, {"login": NUMBER, "password": "First-claim-2026"})
        assert (response.status_code, response.url) == (302, reverse("account_verify_phone"))
    client.cookies.clear()
    with time_machine.travel(NOW + timedelta(minutes=1)):  # past allauth's one SMS per 30 s per number
        response = client.post(LOGIN, {"login": NUMBER, "password": "Second-claim-2026"})
        assert (response.status_code, response.url) == (302, reverse("account_verify_phone"))
        client.post(reverse("account_verify_phone"), {"code": code_from(sms_outbox[-1])})
    assert int(client.session[SESSION_KEY]) == second.pk
    assert [s.phone for s in sms_outbox] == [NUMBER, NUMBER]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.phone, second.phone_verified) == (NUMBER, True)
    assert (first.phone, first.phone_verified) == (None, False)


# --- the clean-up job -------------------------------------------------------------------------


def claimed_days_ago(days: int, phone: str, **fields) -> User:
    with time_machine.travel(NOW - timedelta(days=days), tick=False):
        user = UserFactory(email="", phone=phone, phone_verified=False, **fields)
        Consent.objects.create(user=user, kind="privacy_policy", version="2026-11")
    return user


def test_stale_unverified_accounts_are_deleted_or_release_their_number(settings):
    settings.UNVERIFIED_ACCOUNT_DAYS = 7
    bare = claimed_days_ago(8, "13800000001")
    with_profile = claimed_days_ago(8, "13800000002")
    MemberProfileFactory(user=with_profile)
    with_registration = claimed_days_ago(8, "13800000003")
    RegistrationFactory(user=with_registration)
    with_ticket = claimed_days_ago(8, "13800000004")
    submit(with_ticket)
    with_verified_email = claimed_days_ago(8, "13800000005")
    EmailAddress.objects.create(user=with_verified_email, email="mei@example.cn", verified=True, primary=True)
    with_unverified_email = claimed_days_ago(8, "13800000006")
    EmailAddress.objects.create(user=with_unverified_email, email="nobody@example.cn", verified=False)
    recent = claimed_days_ago(6, "13800000007")
    verified = UserFactory(email="", phone="13800000008", phone_verified=True)

    with time_machine.travel(NOW, tick=False):
        assert stale_unverified_accounts_clean() == (2, 4)

    assert not User.objects.filter(pk__in=[bare.pk, with_unverified_email.pk]).exists()
    kept = {u.pk: (u.phone, u.phone_verified) for u in User.objects.all()}
    assert kept == {
        with_profile.pk: (None, False), with_registration.pk: (None, False), with_ticket.pk: (None, False),
        with_verified_email.pk: (None, False), recent.pk: ("13800000007", False),
        verified.pk: ("13800000008", True),
    }
    assert Registration.objects.filter(user=with_registration).count() == 1
    assert with_ticket.tickets.count() == 1
    # A second run finds nothing left to do.
    with time_machine.travel(NOW, tick=False):
        assert stale_unverified_accounts_clean() == (0, 0)


def test_the_cleanup_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["unverified-accounts-cleanup"]
    assert entry["task"] == "members.tasks.clean_stale_unverified_accounts"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {40})
