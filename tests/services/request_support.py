"""Organisations, representatives and service requests for the service-request tests."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from members.credit_codes import credit_code_check_character
from members.models import Organisation, OrganisationStatus, Representative
from services import requests
from services.models import RequestCategory, ServiceRequest
from tests.factories import StaffFactory, UserFactory
from xiangcheng.core.roles import ENTERPRISE_SERVICE

_codes = count(1)


def credit_code() -> str:
    first17 = f"91320507MA{next(_codes):07d}"
    return first17 + credit_code_check_character(first17)


def organisation(*, verified: bool = True, **fields) -> Organisation:
    values = dict(name="苏州相城新材料有限公司", credit_code=credit_code(), kind="enterprise",
                  industry="advanced_materials", size="small", city="suzhou", address="相城区元和街道",
                  description="新材料研发", public_contact="0512-00000000")
    values.update(fields)
    org = Organisation.objects.create(**values)
    if verified:
        Organisation.objects.filter(pk=org.pk).update(status=OrganisationStatus.VERIFIED)
        org.refresh_from_db()
    return org


def representative(org: Organisation, **fields):
    user = UserFactory(**fields)
    Representative.objects.create(organisation=org, user=user)
    return user


def moderator():
    return StaffFactory(username=f"qiye{next(_codes)}", groups=[ENTERPRISE_SERVICE.name])


def request_data(**fields) -> dict:
    values = {"category": RequestCategory.TECHNOLOGY, "title": "先进新材料研发合作",
              "description": "寻找新材料表征方面的专家合作。", "field": "advanced_materials", "budget": "",
              "deadline": timezone.localdate() + timedelta(days=30)}
    values.update(fields)
    return values


def published(org: Organisation, author=None, **fields) -> ServiceRequest:
    """A request posted by the organisation and published by staff."""
    author = author or org.representatives.first().user
    service_request = requests.request_create(organisation=org, author=author, data=request_data(**fields),
                                              submit=True)
    requests.requests_publish(request_ids=[service_request.pk], reviewer=moderator())
    service_request.refresh_from_db()
    return service_request


def form_data(**fields) -> dict:
    data = request_data(**fields)
    data["deadline"] = str(data["deadline"])
    return data
