"""Two people register the same credit code at the same moment: both pass the form's check, the
unique constraint lets one in, and the other gets the form's "ask to be invited" — never a 500.
Run once with the conversion switched off (``organisations.DUPLICATE_AS_ERROR``), the same race
ends in a raw IntegrityError, which proves the race really happens."""

import pytest
from django.db import IntegrityError

from members import organisations
from members.models import Organisation, Representative
from members.organisation_forms import OrganisationForm
from tests.concurrency import pool_for_threads, race
from tests.factories import UserFactory
from tests.helpers import zh

pytestmark = pytest.mark.django_db(transaction=True)
_pool_for_every_thread = pool_for_threads(2)

DATA = {"name": "苏州相城薄膜材料有限公司", "credit_code": "91320507MA1MXAB7XN", "kind": "enterprise",
        "industry": "advanced_materials", "size": "small", "city": "suzhou", "address": "元和街道",
        "description": "研发", "public_contact": "0512-65000001"}


def two_checked_forms():
    """Both pass validation (the code is free) before either saves: the moment of the race."""
    forms = [OrganisationForm(DATA), OrganisationForm(DATA)]
    assert all(form.is_valid() for form in forms)
    return [form.save(commit=False) for form in forms]


def register(user, organisation):
    try:
        organisations.organisation_register(user=user, organisation=organisation)
    except organisations.OrganisationError as exc:
        return str(exc)
    return "registered"


def test_the_second_of_two_at_once_is_asked_to_be_invited():
    users = [UserFactory(), UserFactory()]
    results, errors = race(register, list(zip(users, two_checked_forms(), strict=True)))
    assert errors == []
    assert sorted(results) == sorted(["registered", zh(
        "This organisation is already registered: ask its representative to invite you.")])
    assert (Organisation.objects.count(), Representative.objects.count()) == (1, 1)


def test_without_the_conversion_the_same_race_is_a_raw_integrity_error(monkeypatch):
    monkeypatch.setattr(organisations, "DUPLICATE_AS_ERROR", False)
    users = [UserFactory(), UserFactory()]
    results, errors = race(register, list(zip(users, two_checked_forms(), strict=True)))
    assert results == ["registered"]
    assert [type(e) for e in errors] == [IntegrityError]
    assert (Organisation.objects.count(), Representative.objects.count()) == (1, 1)
