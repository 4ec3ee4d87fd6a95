"""Registering an organisation: any signed-in account, the credit code checked on the server with
one clear error each, one code one organisation (asked to be invited instead), the logo through
the file gate, and the sign-up fork that leads a representative to this form."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from members.models import Organisation, OrganisationStatus, Representative
from tests.factories import PASSWORD, MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core import sms

from .organisation_factories import a_code, organisation_with

pytestmark = pytest.mark.django_db

REGISTER = "/members/organisations/register/"
VALID = "91320507MA1MXAB7XN"


def details(**changes) -> dict:
    data = {"name": "苏州相城薄膜材料有限公司", "credit_code": " 91320507 ma1mxab7xn ", "kind": "enterprise",
            "industry": "advanced_materials", "size": "small", "city": "suzhou", "district": "相城区",
            "address": "元和街道科技园 3 号楼", "description": "功能薄膜研发", "public_contact": "0512-65000001",
            "women_led": "founder"}
    data.update(changes)
    return data


def test_url_is_the_one_the_pages_link_to():
    assert reverse("members:organisation_register") == REGISTER


def test_anyone_signed_in_registers_and_becomes_its_first_representative(client):
    user = UserFactory()  # no member profile: an HR manager, say
    client.force_login(user)
    response = client.post(REGISTER, details())
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response.url == f"/members/organisations/{organisation.pk}/"
    assert (organisation.credit_code, organisation.status, organisation.registered_by, organisation.women_led,
            organisation.women_led_confirmed, organisation.badge) == (
        VALID, OrganisationStatus.PENDING, user, "founder", False, "")
    assert list(Representative.objects.values_list("organisation", "user")) == [(organisation.pk, user.pk)]
    page = client.get(response.url).content.decode()
    assert zh("Awaiting verification") in page


def test_a_visitor_is_asked_to_log_in():
    from django.test import Client

    response = Client().get(REGISTER)
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={REGISTER}")


@pytest.mark.parametrize(("code", "msgid"), [
    ("91320507MA1MXAB7X", "A unified social credit code has 18 characters."),
    ("91320507MA1MXIB7XN", "A unified social credit code uses only digits and capital letters other than I, O, S, V "
                           "and Z."),
    ("91320507MA1MXAB7XA", "This unified social credit code is not valid: its last character does not match. "
                           "Please check it against the business licence."),
])
def test_a_wrong_code_gets_its_clear_error_and_the_form_keeps_the_input(client, code, msgid):
    client.force_login(UserFactory())
    response = client.post(REGISTER, details(credit_code=code))
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"] == [zh(msgid)]
    assert response.context["form"]["name"].value() == "苏州相城薄膜材料有限公司"
    assert response.context["form"]["credit_code"].value() == code
    assert Organisation.objects.count() == 0


def test_a_code_already_registered_asks_to_be_invited(client):
    organisation_with(credit_code=VALID)
    client.force_login(UserFactory())
    response = client.post(REGISTER, details())
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"] == [
        zh("This organisation is already registered: ask its representative to invite you.")]
    assert response.context["form"]["address"].value() == "元和街道科技园 3 号楼"
    assert (Organisation.objects.count(), Representative.objects.count()) == (1, 1)


def _png(size=(300, 200)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(data, format="PNG")
    data.seek(0)
    data.name = "logo.png"
    return data


def test_the_logo_goes_through_the_file_gate(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory())
    assert client.post(REGISTER, {**details(), "logo_upload": _png((1200, 800))}).status_code == 302
    organisation = Organisation.objects.get()
    with Image.open(organisation.logo.path) as logo, Image.open(organisation.logo_thumb.path) as thumb:
        assert (logo.format, logo.size, thumb.size) == ("JPEG", (512, 341), (128, 85))


def test_a_logo_that_is_not_an_image_is_refused_with_a_reason(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory())
    fake = io.BytesIO(b"not an image at all")
    fake.name = "logo.png"
    response = client.post(REGISTER, {**details(), "logo_upload": fake})
    assert response.status_code == 400
    assert response.context["form"].errors["logo_upload"] == [
        zh("The file is not an image we can read. SVG files are not accepted.")]
    assert Organisation.objects.count() == 0


def test_the_sign_up_fork_leads_a_representative_to_the_organisation_form(client):
    response = client.get("/accounts/signup/")
    page = response.content.decode()
    assert zh("represent an organisation (enterprise, university, institute …)") in page
    assert zh("join the alliance as a member") in page
    response = client.post("/accounts/signup/", {
        "phone": "13900000123", "password1": PASSWORD, "password2": PASSWORD, "accept_privacy": "on",
        "joining_as": "organisation"})
    assert response.status_code == 302
    # The SMS code first, then her destination: the organisation form.
    assert response.url == reverse("account_verify_phone")
    response = client.post(response.url, {"code": sms.outbox[-1].params["code"]})
    assert (response.status_code, response.url) == (302, REGISTER)


def test_a_member_signing_up_goes_to_her_profile_as_before(client):
    client.post("/accounts/signup/", {
        "phone": "13900000124", "password1": PASSWORD, "password2": PASSWORD, "accept_privacy": "on",
        "joining_as": "member"})
    response = client.post(reverse("account_verify_phone"), {"code": sms.outbox[-1].params["code"]})
    assert (response.status_code, response.url) == (302, "/members/profile/")


def test_a_representative_without_a_profile_logs_in_to_her_organisations(client):
    user = UserFactory()
    organisation_with(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert (response.status_code, response.url) == (302, "/members/organisations/")
    page = client.get("/members/organisations/").content.decode()
    assert zh("Fill in your profile to apply for membership. The federation's staff review every application.") \
        not in page


def test_a_member_who_represents_her_company_still_logs_in_to_her_profile(client):
    member = MemberProfileFactory().user
    organisation_with(member, credit_code=a_code())
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert (response.status_code, response.url) == (302, "/members/profile/")
