"""The credit-code check, one organisation per code, and who may post."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from members.credit_codes import credit_code_check, credit_code_normalised
from members.models import Organisation, OrganisationStatus, Representative
from members.organisations import posting_organisation, represented
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = "91320507MA1MXAB7XN"


@pytest.mark.parametrize("code", [VALID, "91350100M000100Y43"])
def test_valid_codes_pass(code):
    credit_code_check(code)


@pytest.mark.parametrize(("code", "error"), [
    ("91320507MA1MXAB7XA", "check"),          # the last character does not match
    ("91320507MA1MXAB7X", "length"),
    ("91320507MA1MXAB7XNN", "length"),
    ("91320507MA1MXIB7XN", "characters"),     # I is never used
    ("91320507ma1mxab7xn", "characters"),     # normalised by forms, not here
])
def test_invalid_codes_say_why(code, error):
    with pytest.raises(ValidationError) as raised:
        credit_code_check(code)
    assert raised.value.code == error


def test_codes_are_normalised_as_typed():
    assert credit_code_normalised(" 91320507 ma1mxab7xn ") == VALID


def organisation(**fields) -> Organisation:
    values = dict(name="苏州相城新材料有限公司", credit_code=VALID, kind="enterprise", industry="advanced_materials",
                  size="small", city="suzhou", address="相城区元和街道", description="新材料研发",
                  public_contact="0512-00000000")
    values.update(fields)
    return Organisation.objects.create(**values)


def test_one_code_one_organisation():
    organisation()
    with pytest.raises(IntegrityError), transaction.atomic():
        organisation(name="另一家")


def test_the_database_refuses_a_malformed_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        organisation(credit_code="91320507MA1MXAB7xN")


def test_only_her_verified_organisation_posts():
    hers = organisation()
    other = organisation(credit_code="91350100M000100Y43", name="别家")
    user = UserFactory()
    Representative.objects.create(organisation=hers, user=user)
    assert represented(user=user, pk=hers.pk) == hers
    with pytest.raises(Http404):
        represented(user=user, pk=other.pk)
    with pytest.raises(Http404):
        posting_organisation(user=user, pk=hers.pk)  # still awaiting verification
    Organisation.objects.filter(pk=hers.pk).update(status=OrganisationStatus.VERIFIED)
    assert posting_organisation(user=user, pk=hers.pk) == hers
    Organisation.objects.filter(pk=other.pk).update(status=OrganisationStatus.VERIFIED)
    with pytest.raises(Http404):
        posting_organisation(user=user, pk=other.pk)
