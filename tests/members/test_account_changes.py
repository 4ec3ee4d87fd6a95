"""Changing her contact details: add or change a mobile number (SMS code), add an email (link)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import UserFactory

from .test_signup import sms_code

pytestmark = pytest.mark.django_db


def test_an_email_member_adds_her_mobile_number_with_the_sms_code(client, sms_outbox):
    user = UserFactory(phone=None)
    client.force_login(user)
    response = client.post(reverse("account_change_phone"), {"phone": "139 1234 5678"})
    assert response.status_code == 302
    assert [m.phone for m in sms_outbox] == ["13912345678"]
    # The number is only hers once she proves she holds it.
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == (None, False)

    response = client.post(reverse("account_verify_phone"), {"code": sms_code(sms_outbox[0].text)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("13912345678", True)


def test_a_wrong_code_does_not_verify_the_number(client, sms_outbox):
    user = UserFactory(phone=None)
    client.force_login(user)
    client.post(reverse("account_change_phone"), {"phone": "13912345678"})
    code = sms_code(sms_outbox[0].text)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("account_verify_phone"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == (None, False)


def test_a_number_that_is_not_mainland_is_refused_with_a_message(client, sms_outbox):
    client.force_login(UserFactory(phone=None))
    response = client.post(reverse("account_change_phone"), {"phone": "+44 20 7946 0958"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert sms_outbox == []


def test_a_phone_member_adds_an_email_address_verified_by_link(client, outbox):
    user = UserFactory(email="", phone="13912345678", phone_verified=True)
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "zhou@example.cn"})
    assert response.status_code == 302
    assert [m.to for m in outbox] == [["zhou@example.cn"]]
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified) == ("zhou@example.cn", False)

    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", outbox[0].body).group(1)
    client.post(link)
    address.refresh_from_db()
    assert address.verified is True
