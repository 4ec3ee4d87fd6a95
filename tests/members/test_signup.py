"""Sign-up, verification and log-in through django-allauth, by email or by mainland mobile."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils.translation import gettext

from members.models import MAINLAND_MOBILE, Consent, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
PASSWORD = "Xiangcheng-2026-safe"
CODE_SMS = "Your verification code is {code}. It expires in 15 minutes."


def signup_data(**fields) -> dict:
    data = {"email": "", "phone": "", "password1": PASSWORD, "password2": PASSWORD, "accept_privacy": "on"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def logged_in_user_id(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def sms_code(text: str) -> str:
    match = re.fullmatch(re.escape(gettext(CODE_SMS)).replace(re.escape("{code}"), r"(\d{6})"), text)
    assert match, text
    return match.group(1)


# --- the sign-up page -------------------------------------------------------------------------


def test_signup_page_has_an_unticked_privacy_box_with_a_working_link(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    html = response.content.decode()
    box = re.search(r'<input[^>]*name="accept_privacy"[^>]*>', html).group(0)
    assert 'type="checkbox"' in box
    assert "checked" not in box
    # The label's link is real HTML, not escaped text.
    assert f'<a href="{reverse("members:privacy")}" target="_blank">' in html
    assert "&lt;a href=" not in html
    assert settings.PRIVACY_POLICY_VERSION in html


def test_email_signup_needs_the_privacy_box(client, outbox):
    response = client.post(SIGNUP, signup_data(email="new@example.cn", accept_privacy=None))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "accept_privacy": [gettext("You must accept the privacy policy to create an account.")]
    }
    assert User.objects.count() == 0
    assert outbox == []


def test_email_signup_records_consent_and_verification_link_confirms(client, outbox):
    response = client.post(SIGNUP, signup_data(email="Lin.Xiaowen@Example.cn"))
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None

    user = User.objects.get()
    assert user.email == "lin.xiaowen@example.cn"
    assert (user.phone, user.phone_verified) == (None, False)
    assert list(Consent.objects.filter(user=user).values_list("kind", "version", "withdrawn_at")) == [
        ("privacy_policy", settings.PRIVACY_POLICY_VERSION, None)
    ]
    assert EmailAddress.objects.get(user=user).verified is False

    assert [m.to for m in outbox] == [["lin.xiaowen@example.cn"]]
    assert outbox[0].subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    link = confirmation_link(outbox[0])
    # GET only shows the confirmation button (mail scanners must not confirm).
    assert client.get(link).status_code == 200
    assert EmailAddress.objects.get(user=user).verified is False

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert logged_in_user_id(client) == user.pk


def test_unverified_email_cannot_log_in(client, outbox):
    client.post(SIGNUP, signup_data(email="unverified@example.cn"))
    client.logout()
    assert len(outbox) == 1

    response = client.post(LOGIN, {"login": "unverified@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None
    assert client.get(reverse("members:profile")).status_code == 302
    # The link sent at sign-up is still valid, so no second mail within the rate limit.
    assert len(outbox) == 1


def test_unverified_email_logging_in_later_is_sent_a_fresh_link(client, outbox):
    user = UserFactory(email="later@example.cn")
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = client.post(LOGIN, {"login": "later@example.cn", "password": "correct-horse-42"})
    assert (response.status_code, response.url) == (302, reverse("account_email_verification_sent"))
    assert logged_in_user_id(client) is None
    assert [m.to for m in outbox] == [["later@example.cn"]]
    client.post(confirmation_link(outbox[0]))
    assert logged_in_user_id(client) == user.pk


def test_verified_email_logs_in(client):
    user = UserFactory(email="verified@example.cn")
    response = client.post(LOGIN, {"login": "verified@example.cn", "password": "correct-horse-42"})
    assert response.status_code == 302
    assert response.url == reverse("members:profile")
    assert logged_in_user_id(client) == user.pk


def test_wrong_password_does_not_log_in(client):
    UserFactory(email="verified@example.cn")
    response = client.post(LOGIN, {"login": "verified@example.cn", "password": "wrong-password"})
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


# --- sign-up by mobile ------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["12345", "10012345678", "1381234567", "138123456789", "23812345678", "1381234567a"])
def test_phone_must_be_a_mainland_mobile_number(client, phone, sms_outbox):
    response = client.post(SIGNUP, signup_data(phone=phone))
    assert response.status_code == 200
    assert response.context["form"].errors == {"phone": [str(MAINLAND_MOBILE.message)]}
    assert User.objects.count() == 0
    assert sms_outbox == []


def test_phone_signup_sends_a_six_digit_code_that_verifies_and_logs_in(client, sms_outbox, outbox):
    response = client.post(SIGNUP, signup_data(phone="13812345678"))
    assert response.status_code == 302
    assert response.url == reverse("account_verify_phone")
    user = User.objects.get()
    assert (user.phone, user.phone_verified, user.email) == ("13812345678", False, "")
    assert logged_in_user_id(client) is None
    assert list(Consent.objects.filter(user=user).values_list("kind", "version")) == [
        ("privacy_policy", settings.PRIVACY_POLICY_VERSION)
    ]
    assert outbox == []

    assert [s.phone for s in sms_outbox] == ["13812345678"]
    code = sms_code(sms_outbox[0].text)
    assert (sms_outbox[0].template, sms_outbox[0].params) == ("verification_code", {"code": code})
    assert sms_outbox[0].text == gettext(CODE_SMS).format(code=code)

    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("account_verify_phone"), {"code": wrong})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.phone_verified is False
    assert logged_in_user_id(client) is None

    response = client.post(reverse("account_verify_phone"), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified is True
    assert logged_in_user_id(client) == user.pk


def test_phone_with_country_code_and_spaces_is_stored_as_eleven_digits(client, sms_outbox):
    response = client.post(SIGNUP, signup_data(phone="+86 139-1234 5678"))
    assert response.status_code == 302
    assert User.objects.get().phone == "13912345678"
    assert [s.phone for s in sms_outbox] == ["13912345678"]


def test_neither_email_nor_phone_is_an_error(client):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        gettext("Enter an email address or a mobile number.")
    ]
    assert User.objects.count() == 0


def test_both_email_and_phone_is_an_error(client, outbox, sms_outbox):
    response = client.post(SIGNUP, signup_data(email="both@example.cn", phone="13812345678"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        gettext("Sign up with either an email address or a mobile number; you can add the other later.")
    ]
    assert User.objects.count() == 0
    assert (outbox, sms_outbox) == ([], [])


# --- no account enumeration -------------------------------------------------------------------


def test_signing_up_with_an_existing_email_looks_the_same_as_a_new_one(client, outbox):
    existing = UserFactory(email="taken@example.cn")
    new = client.post(SIGNUP, signup_data(email="fresh@example.cn"))
    client.logout()
    again = client.post(SIGNUP, signup_data(email="taken@example.cn"))

    assert (again.status_code, again.url) == (new.status_code, new.url) == (
        302, reverse("account_email_verification_sent")
    )
    # No second account; the owner of the address is told someone tried.
    assert User.objects.filter(email="taken@example.cn").count() == 1
    assert User.objects.count() == 2
    assert [m.to for m in outbox] == [["fresh@example.cn"], ["taken@example.cn"]]
    assert "/accounts/confirm-email/" in outbox[0].body
    assert "/accounts/confirm-email/" not in outbox[1].body
    assert "/accounts/password/reset/" in outbox[1].body
    assert existing.pk == User.objects.get(email="taken@example.cn").pk
    assert Consent.objects.filter(user=existing).count() == 0


def test_a_taken_email_stays_hidden_when_the_form_has_other_errors(client, outbox):
    UserFactory(email="taken@example.cn")
    response = client.post(SIGNUP, signup_data(email="taken@example.cn", accept_privacy=None))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["accept_privacy"]
    assert outbox == []


def test_signing_up_with_an_existing_phone_looks_the_same_as_a_new_one(client, sms_outbox, make_phone_user):
    make_phone_user("13700001111")
    new = client.post(SIGNUP, signup_data(phone="13700002222"))
    client.logout()
    again = client.post(SIGNUP, signup_data(phone="13700001111"))
    assert (again.status_code, again.url) == (new.status_code, new.url) == (302, reverse("account_verify_phone"))
    assert User.objects.filter(phone="13700001111").count() == 1
    assert [s.phone for s in sms_outbox] == ["13700002222", "13700001111"]
    assert (sms_outbox[1].template, sms_outbox[1].text) == ("account_exists", gettext(
        "This number already has an account. Log in or reset your password on the portal."))


# --- password reset and phone log-in ---------------------------------------------------------


def test_password_reset_by_email(client, outbox):
    user = UserFactory(email="forgot@example.cn")
    assert client.get("/accounts/password/reset/").status_code == 200
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.cn"})
    assert response.status_code == 302
    assert [m.to for m in outbox] == [["forgot@example.cn"]]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", outbox[0].body).group(1)

    response = client.get(link)
    assert response.status_code == 302  # allauth hides the key from the address bar
    form_url = response.url
    response = client.post(form_url, {"password1": "New-Xiangcheng-2026", "password2": "New-Xiangcheng-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-Xiangcheng-2026") is True

    client.logout()
    client.post(LOGIN, {"login": "forgot@example.cn", "password": "New-Xiangcheng-2026"})
    assert logged_in_user_id(client) == user.pk


def test_password_reset_for_an_unknown_email_looks_the_same(client, outbox):
    UserFactory(email="known@example.cn")
    known = client.post("/accounts/password/reset/", {"email": "known@example.cn"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url) == (
        302, reverse("account_reset_password_done")
    )
    assert [m.to for m in outbox] == [["known@example.cn"], ["nobody@example.cn"]]
    assert "/accounts/password/reset/key/" in outbox[0].body
    assert "/accounts/password/reset/key/" not in outbox[1].body


def test_verified_phone_user_logs_in_with_phone_and_password(client, make_phone_user):
    user = make_phone_user("13812345678")
    response = client.post(LOGIN, {"login": "13812345678", "password": "correct-horse-42"})
    assert response.status_code == 302
    assert response.url == reverse("members:profile")
    assert logged_in_user_id(client) == user.pk


def test_phone_login_accepts_the_country_code_and_spaces(client, make_phone_user):
    user = make_phone_user("13812345678")
    response = client.post(LOGIN, {"login": "+86 138 1234 5678", "password": "correct-horse-42"})
    assert response.status_code == 302
    assert logged_in_user_id(client) == user.pk


def test_unverified_phone_must_enter_a_code_before_logging_in(client, sms_outbox, make_phone_user):
    make_phone_user("13812345678", verified=False)
    response = client.post(LOGIN, {"login": "13812345678", "password": "correct-horse-42"})
    assert response.status_code == 302
    assert response.url == reverse("account_verify_phone")
    assert logged_in_user_id(client) is None
    assert [s.phone for s in sms_outbox] == ["13812345678"]
    code = sms_code(sms_outbox[0].text)
    response = client.post(reverse("account_verify_phone"), {"code": code})
    assert response.status_code == 302
    assert User.objects.get(phone="13812345678").phone_verified is True
    assert logged_in_user_id(client) == User.objects.get(phone="13812345678").pk
