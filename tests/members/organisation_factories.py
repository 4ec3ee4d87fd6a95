"""Organisations for the organisation tests: valid codes, a representative, verified or not."""

import itertools

from members.credit_codes import credit_code_check_character
from members.models import Organisation, OrganisationStatus, Representative
from tests.factories import UserFactory

_numbers = itertools.count(1)


def a_code() -> str:
    first17 = f"91320507MA1T{next(_numbers):05d}"
    return first17 + credit_code_check_character(first17)


def organisation_with(*representatives, status: str = OrganisationStatus.PENDING, **fields) -> Organisation:
    """An organisation represented by these accounts (a new account if none)."""
    values = dict(name="苏州相城新材料有限公司", credit_code=a_code(), kind="enterprise",
                  industry="advanced_materials", size="small", city="suzhou", address="相城区元和街道",
                  description="新材料研发", public_contact="0512-00000000")
    values.update(fields)
    organisation = Organisation.objects.create(**values)
    if status != OrganisationStatus.PENDING:
        Organisation.objects.filter(pk=organisation.pk).update(
            status=status, rejection_reason="资料不全" if status == OrganisationStatus.REJECTED else "")
        organisation.refresh_from_db()
    for user in representatives or [UserFactory()]:
        Representative.objects.create(organisation=organisation, user=user)
    return organisation
