"""Password reset by SMS for members who joined with a mobile number."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import one_time_codes, phone_reset
from members.models import User
from tests.helpers import zh

pytestmark = pytest.mark.django_db

REQUEST = "/members/password/reset-by-sms/"
CONFIRM = "/members/password/reset-by-sms/confirm/"


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_a_phone_member_resets_her_password_with_the_code(client, make_phone_user, sms_outbox):
    user = make_phone_user("13912345678")
    response = client.post(REQUEST, {"phone": "+86 139 1234 5678"})
    assert response.status_code == 302 and response.url == CONFIRM
    assert [m.phone for m in sms_outbox] == ["13912345678"]
    code = code_in(sms_outbox[0].text)

    response = client.post(CONFIRM, {"code": code, "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
    assert response.status_code == 302 and response.url == reverse("account_login")
    user.refresh_from_db()
    assert user.check_password("new-Harbour-2026")
    # The code works once.
    client.post(REQUEST, {"phone": "13912345678"})
    response = client.post(CONFIRM, {"code": code, "password1": "other-Harbour-2026", "password2": "other-Harbour-2026"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password("new-Harbour-2026")


def test_an_unknown_number_gets_the_same_answer_and_an_honest_sms(client, sms_outbox):
    response = client.post(REQUEST, {"phone": "13700000000"})
    assert response.status_code == 302 and response.url == CONFIRM
    assert len(sms_outbox) == 1
    assert sms_outbox[0].template == "password_reset_no_account"
    assert re.search(r"\d{6}", sms_outbox[0].text) is None
    response = client.post(CONFIRM, {"code": "123456", "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
    assert response.status_code == 400
    assert User.objects.filter(phone="13700000000").count() == 0


def answers_to_three_wrong_codes_and_one_more(client, phone: str) -> list[tuple[int, list[str]]]:
    client.post(REQUEST, {"phone": phone})
    answers = []
    for _ in range(4):
        response = client.post(CONFIRM, {"code": "000000", "password1": "new-Harbour-2026",
                                         "password2": "new-Harbour-2026"})
        answers.append((response.status_code, response.context["form"].errors["code"]))
    return answers


def test_known_and_unknown_numbers_get_the_same_answers_to_wrong_codes(client, make_phone_user, sms_outbox,
                                                                         monkeypatch):
    make_phone_user("13912345678")
    monkeypatch.setattr(one_time_codes, "new_code", lambda: "654321")  # never the guess below
    known = answers_to_three_wrong_codes_and_one_more(client, "13912345678")
    unknown = answers_to_three_wrong_codes_and_one_more(Client(), "13700000000")
    wrong, used_up = zh("The code is not right."), zh("The code has expired or was used up. Ask for a new one.")
    assert known == unknown == [(400, [wrong])] * 3 + [(400, [used_up])]
    assert [m.template for m in sms_outbox] == ["password_reset_code", "password_reset_no_account"]


def test_known_and_unknown_numbers_cost_the_same_work(make_phone_user, monkeypatch):
    """One user look-up, one hash, one cache write and one provider call either way."""
    make_phone_user("13912345678")
    calls = []
    monkeypatch.setattr(one_time_codes, "make_password", lambda code: calls.append("hash") or "hashed")
    monkeypatch.setattr(phone_reset, "send_sms", lambda **kwargs: calls.append("sms"))
    monkeypatch.setattr(one_time_codes.cache, "set_many", lambda *a, **k: calls.append("store"))
    with CaptureQueriesContext(connection) as known_queries:
        phone_reset.reset_code_send(phone="13912345678", client="192.0.2.1")
    with CaptureQueriesContext(connection) as unknown_queries:
        phone_reset.reset_code_send(phone="13700000000", client="192.0.2.1")
    assert calls == ["hash", "store", "sms"] * 2
    assert len(known_queries) == len(unknown_queries) == 1


def test_three_wrong_codes_use_the_code_up(client, make_phone_user, sms_outbox):
    user = make_phone_user("13912345678")
    client.post(REQUEST, {"phone": "13912345678"})
    code = code_in(sms_outbox[0].text)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        response = client.post(CONFIRM, {"code": wrong, "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
        assert response.status_code == 400
    response = client.post(CONFIRM, {"code": code, "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.check_password("new-Harbour-2026")


def test_a_weak_or_mismatched_password_is_refused_and_the_code_kept(client, make_phone_user, sms_outbox):
    user = make_phone_user("13912345678")
    client.post(REQUEST, {"phone": "13912345678"})
    code = code_in(sms_outbox[0].text)
    response = client.post(CONFIRM, {"code": code, "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 400 and response.context["form"].errors["password1"]
    response = client.post(CONFIRM, {"code": code, "password1": "new-Harbour-2026", "password2": "new-Harbour-2027"})
    assert response.status_code == 400 and response.context["form"].errors["password2"]
    response = client.post(CONFIRM, {"code": code, "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-Harbour-2026")


def test_codes_are_limited_per_number(client, make_phone_user, sms_outbox):
    make_phone_user("13912345678")
    statuses = [client.post(REQUEST, {"phone": "13912345678"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 400]
    assert len(sms_outbox) == 3


def test_confirm_without_a_request_goes_back_to_the_first_step(client):
    response = client.get(CONFIRM)
    assert response.status_code == 302 and response.url == REQUEST


def test_a_bad_number_is_refused_with_a_message(client, sms_outbox):
    response = client.post(REQUEST, {"phone": "12345"})
    assert response.status_code == 400 and response.context["form"].errors["phone"]
    assert sms_outbox == []


def test_behind_the_proxy_the_per_client_limit_keys_by_the_forwarded_address(client, settings, sms_outbox):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(10):
        response = client.post(REQUEST, {"phone": f"1370000{n:04d}"},
                               headers={"X-Forwarded-For": "203.0.113.7"}, **proxy)
        assert response.status_code == 302
    refused = client.post(REQUEST, {"phone": "13700009999"}, headers={"X-Forwarded-For": "203.0.113.7"}, **proxy)
    assert refused.status_code == 400
    other = client.post(REQUEST, {"phone": "13700009999"}, headers={"X-Forwarded-For": "198.51.100.23"}, **proxy)
    assert other.status_code == 302
    assert len(sms_outbox) == 11


def test_without_the_setting_the_forwarded_address_is_ignored(client, sms_outbox):
    for n in range(10):
        client.post(REQUEST, {"phone": f"1370000{n:04d}"}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
    refused = client.post(REQUEST, {"phone": "13700009999"}, headers={"X-Forwarded-For": "198.51.100.23"})
    assert refused.status_code == 400
    assert len(sms_outbox) == 10
