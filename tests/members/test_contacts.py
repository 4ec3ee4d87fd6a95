"""Her address is a contact others may be shown only once she verified it."""

import pytest
from allauth.account.models import EmailAddress

from members.contacts import verified_email, verified_phone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_her_own_verified_address_counts_whatever_its_case():
    lin = UserFactory(username="lin", email="Lin.Xiao@Example.cn")
    unverified = UserFactory(username="wang", email="")
    unverified.email = "wang@example.cn"
    unverified.save()
    EmailAddress.objects.create(user=unverified, email="wang@example.cn", verified=False)
    # An address verified by someone else does not make it hers.
    borrowed = UserFactory(username="zhao", email="")
    borrowed.email = "lin.xiao@example.cn"
    borrowed.save()

    EmailAddress.objects.filter(user=lin).update(email="lin.xiao@example.cn")

    assert [verified_email(user) for user in (lin, unverified, borrowed)] == ["Lin.Xiao@Example.cn", "", ""]


def test_her_number_counts_once_verified():
    assert verified_phone(UserFactory(phone="13912345678", phone_verified=True)) == "13912345678"
    assert verified_phone(UserFactory(phone="13912340000", phone_verified=False)) == ""
