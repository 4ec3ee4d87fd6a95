"""Redis down: logins, sign-ups and resets answer "try again shortly" (503), never a 500, and
nothing is half-saved. The cache points at a Unix socket that nothing listens on."""

import re

import pytest
from django.urls import reverse

from members.models import Consent, User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import zh

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xiangcheng-2026-safe"
TRY_AGAIN = "Please try again shortly"


@pytest.fixture
def redis_down(settings, tmp_path):
    dead = tmp_path / "no-redis-here.sock"
    assert not dead.exists()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{dead}?db=1"}}
    return dead


def hidden_fields(response) -> dict[str, str]:
    page = response.content.decode()
    return {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
            if name != "csrfmiddlewaretoken"}


def assert_try_again_page(response) -> None:
    assert response.status_code == 503
    assert f"<h1>{zh(TRY_AGAIN)}</h1>" in response.content.decode()


def test_email_sign_up_answers_try_again_and_keeps_what_she_typed(client, redis_down, outbox):
    response = client.post("/accounts/signup/", {
        "email": "lin@example.cn", "phone": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "accept_privacy": "on"})
    assert_try_again_page(response)
    assert hidden_fields(response) == {"email": "lin@example.cn", "phone": "", "accept_privacy": "on"}
    assert NEW_PASSWORD not in response.content.decode()
    assert (User.objects.count(), Consent.objects.count(), outbox) == (0, 0, [])


@pytest.mark.parametrize("contact", [{"email": "lin@example.cn", "phone": ""}, {"email": "", "phone": "13800001111"}])
def test_an_outage_half_way_through_sign_up_leaves_no_account(client, settings, redis_down, contact, sms_outbox):
    # No limit on the sign-up page itself: Redis is first needed after the account is saved
    # (to limit the verification email or SMS), so only the transaction keeps it from staying.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": None}
    response = client.post("/accounts/signup/", {
        **contact, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "accept_privacy": "on"})
    assert_try_again_page(response)
    assert (User.objects.count(), Consent.objects.count(), sms_outbox) == (0, 0, [])


def test_login_answers_try_again(client, redis_down):
    UserFactory(email="lin@example.cn")
    response = client.post("/accounts/login/", {"login": "lin@example.cn", "password": PASSWORD})
    assert_try_again_page(response)
    assert hidden_fields(response) == {"login": "lin@example.cn"}
    assert "_auth_user_id" not in client.session


def test_email_password_reset_answers_try_again(client, redis_down, outbox):
    UserFactory(email="lin@example.cn")
    response = client.post("/accounts/password/reset/", {"email": "lin@example.cn"})
    assert_try_again_page(response)
    assert outbox == []


def test_sms_reset_answers_try_again_and_changes_nothing(client, make_phone_user, settings, sms_outbox, tmp_path):
    user = make_phone_user("13912345678")
    client.post(reverse("members:phone_reset"), {"phone": "13912345678"})
    code = re.search(r"\d{6}", sms_outbox[0].text).group(0)
    dead = tmp_path / "gone.sock"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{dead}?db=1"}}

    assert_try_again_page(client.post(reverse("members:phone_reset"), {"phone": "13912345678"}))
    response = client.post(reverse("members:phone_reset_confirm"),
                           {"code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert_try_again_page(response)
    assert hidden_fields(response) == {"code": code}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert len(sms_outbox) == 1


def test_a_get_offers_a_link_to_try_again(client, redis_down):
    response = client.get("/members/password/reset-by-sms/?x=1")
    # The request form itself needs no Redis; posting it does.
    assert response.status_code == 200
    response = client.post("/members/password/reset-by-sms/", {"phone": "13912345678"})
    assert_try_again_page(response)


def test_a_second_phone_code_within_30_seconds_is_a_clear_page_not_a_500(client, make_phone_user, sms_outbox):
    make_phone_user("13812345678", verified=False)
    client.post("/accounts/login/", {"login": "13812345678", "password": PASSWORD})
    client.cookies.clear()
    response = client.post("/accounts/login/", {"login": "13812345678", "password": PASSWORD})
    assert response.status_code == 429
    assert f"<h1>{zh('Too many attempts')}</h1>" in response.content.decode()
    assert len(sms_outbox) == 1
