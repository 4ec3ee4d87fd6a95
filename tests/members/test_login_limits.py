"""Failed-login limits: per number for phone logins, per client behind the reverse proxy."""

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import PASSWORD, UserFactory
from tests.helpers import zh

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOO_MANY = "Too many failed login attempts. Try again later."


def login(client, login: str, password: str, **headers):
    return client.post(LOGIN, {"login": login, "password": password}, **headers)


def locked_out(response) -> bool:
    return response.status_code == 200 and zh(TOO_MANY) in response.context["form"].non_field_errors()


def test_wrong_passwords_for_one_number_do_not_lock_another(client, make_phone_user):
    a = make_phone_user("13800000001")
    b = make_phone_user("13900000002")
    for _ in range(5):
        assert not locked_out(login(client, "13800000001", "wrong-password"))

    response = login(client, "13900000002", PASSWORD)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == b.pk
    client.logout()

    # Number A is locked, however it is typed, even with the right password.
    assert locked_out(login(client, "+86 138 0000 0001", PASSWORD))
    assert locked_out(login(client, "13800000001", PASSWORD))
    assert SESSION_KEY not in client.session
    assert a.pk != b.pk


def test_four_wrong_passwords_then_the_right_one_logs_in(client, make_phone_user):
    user = make_phone_user("13800000001")
    for _ in range(4):
        login(client, "138 0000 0001", "wrong-password")
    assert login(client, "13800000001", PASSWORD).status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


# --- behind the reverse proxy ------------------------------------------------------------------

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def fail_ten_logins(client, **headers) -> None:
    """Ten failed logins for ten different accounts: only the per-client limit counts them."""
    for n in range(10):
        assert not locked_out(login(client, f"nobody{n}@example.cn", "wrong-password", **headers))


def test_behind_the_trusted_proxy_each_client_has_its_own_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="lin@example.cn")
    fail_ten_logins(client, headers={"X-Forwarded-For": "203.0.113.7"}, **PROXY)
    assert locked_out(login(client, "lin@example.cn", PASSWORD,
                            headers={"X-Forwarded-For": "203.0.113.7"}, **PROXY))
    # Another client behind the same proxy logs in.
    response = login(client, "lin@example.cn", PASSWORD, headers={"X-Forwarded-For": "198.51.100.23"}, **PROXY)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


def test_a_forged_header_before_the_proxys_own_entry_does_not_change_the_key(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="lin@example.cn")
    for n in range(10):
        # The attacker writes a new address each time; nginx appends the real one.
        login(client, f"nobody{n}@example.cn", "wrong-password",
              headers={"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.7"}, **PROXY)
    assert locked_out(login(client, "lin@example.cn", PASSWORD,
                            headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}, **PROXY))


def test_without_the_setting_the_header_is_ignored(client):
    UserFactory(email="lin@example.cn")
    fail_ten_logins(client, headers={"X-Forwarded-For": "203.0.113.7"}, **PROXY)
    # A different header does not make a different client: it cannot be spoofed to escape.
    assert locked_out(login(client, "lin@example.cn", PASSWORD,
                            headers={"X-Forwarded-For": "198.51.100.23"}, **PROXY))


def test_a_password_reset_by_sms_lifts_the_lock_on_her_number(client, make_phone_user, sms_outbox):
    user = make_phone_user("13800000001")
    for _ in range(5):
        login(client, "13800000001", "wrong-password")
    assert locked_out(login(client, "13800000001", PASSWORD))

    client.post("/members/password/reset-by-sms/", {"phone": "13800000001"})
    code = sms_outbox[-1].params["code"]
    response = client.post("/members/password/reset-by-sms/confirm/",
                           {"code": code, "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
    assert response.status_code == 302
    response = login(client, "138 0000 0001", "new-Harbour-2026")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk
