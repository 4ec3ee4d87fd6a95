"""Password reset by SMS for members who joined with a mobile number."""

import re

import pytest
from django.urls import reverse

from members.models import User

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
    assert re.search(r"\d{6}", sms_outbox[0].text) is None
    response = client.post(CONFIRM, {"code": "123456", "password1": "new-Harbour-2026", "password2": "new-Harbour-2026"})
    assert response.status_code == 400
    assert User.objects.filter(phone="13700000000").count() == 0


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
