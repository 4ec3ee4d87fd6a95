"""The service-request journey of issue 10, in a real Chromium at 375 px.

A person registers her organisation; staff in 企业服务 verify it in the admin; she posts a request from
its workbench; staff publish it;
a member finds it by a Chinese substring search and responds sharing only her email; the
representative accepts (sharing his mobile); each side then sees the other's shared contact, and
nothing else.
"""

import pytest
from playwright.sync_api import Page, expect

from members.models import Organisation, OrganisationStatus, Representative
from members.organisation_forms import OrganisationForm
from services.models import (
    RequestDigestOptOut,
    RequestResponse,
    RequestStatus,
    ResponseStatus,
    ServiceRequest,
)
from services.request_forms import RequestForm, RequestSearchForm, ResponseForm
from services.request_notices import opt_out_token
from tests.factories import MemberProfileFactory, UserFactory

from .ui import admin_action, admin_log_in, label, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HER_EMAIL, HER_PHONE = "chenjingyi.private@example.cn", "13912340000"
REP_EMAIL, REP_PHONE = "hr.private@xiancai.example.cn", "13800005555"
TITLE = "先进新材料研发合作"


def test_post_publish_find_respond_accept_and_see_contacts(page: Page, new_page, staff_in_group):
    rep = UserFactory(username="xiancai-hr", email=REP_EMAIL, phone=REP_PHONE, phone_verified=True)
    staff = staff_in_group("qiye", "企业服务")
    her = UserFactory(username="chenjingyi", email=HER_EMAIL, phone=HER_PHONE, phone_verified=True)
    MemberProfileFactory(user=her, real_name="陈静怡", job_title="高级工程师", field="advanced_materials")

    # She registers her organisation; until staff verify it, it cannot post.
    page.goto("/members/organisations/register/")
    page.wait_for_url("**/accounts/login/**")
    log_in(page, REP_EMAIL)
    page.wait_for_url("**/members/organisations/register/")
    for name, value in [("name", "苏州相城先材科技有限公司"), ("credit_code", "91320507MA1MXAB7XN"),
                        ("district", "相城区"), ("address", "元和街道科技园 3 号楼"),
                        ("description", "专注功能薄膜材料研发与中试。"), ("public_contact", "0512-6500 0001")]:
        page.get_by_label(label(OrganisationForm, name)).fill(value)
    for name, value in [("kind", "enterprise"), ("industry", "advanced_materials"), ("size", "small"),
                        ("city", "suzhou")]:
        page.get_by_label(label(OrganisationForm, name)).select_option(value)
    page.get_by_role("button", name=t("Register"), exact=True).click()
    org = Organisation.objects.get()
    page.wait_for_url(f"**/members/organisations/{org.pk}/")
    assert page.goto(f"/requests/organisation/{org.pk}/new/").status == 404

    # Staff verify it in the admin.
    desk = new_page()
    admin_log_in(desk, staff.username)
    admin_action(desk, Organisation, org, "verify")
    org.refresh_from_db()
    assert org.status == OrganisationStatus.VERIFIED

    # From her workbench she opens its service requests and posts one from her phone for review.
    page.goto(f"/members/organisations/{org.pk}/")
    page.get_by_role("link", name=t("Service requests"), exact=True).click()
    page.wait_for_url(f"**/requests/organisation/{org.pk}/")
    page.goto(f"/requests/organisation/{org.pk}/new/")
    page.get_by_label(label(RequestForm, "category")).select_option("technology")
    page.get_by_label(label(RequestForm, "title")).fill(TITLE)
    page.get_by_label(label(RequestForm, "description")).fill("为柔性屏开发功能薄膜，寻找新材料表征与中试方面的专家。")
    page.get_by_label(label(RequestForm, "field")).select_option("advanced_materials")
    page.get_by_label(label(RequestForm, "deadline")).fill("2099-12-31")
    page.get_by_role("button", name=t("Send for review"), exact=True).click()
    service_request = ServiceRequest.objects.get()
    page.wait_for_url(f"**/requests/organisation/{org.pk}/{service_request.pk}/")
    expect(page.get_by_text(t("Sent for review."))).to_be_visible()
    assert service_request.status == RequestStatus.PENDING

    # Staff publish it in the admin.
    desk.goto("/admin/")
    admin_action(desk, ServiceRequest, service_request, "publish")
    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.PUBLISHED

    # A member finds it by a substring of its title and responds, sharing only her email.
    member = new_page()
    member.goto("/accounts/login/")
    log_in(member, HER_EMAIL)
    member.goto("/requests/")
    member.get_by_label(label(RequestSearchForm, "q")).fill("新材料")
    member.get_by_role("button", name=t("Search"), exact=True).click()
    expect(member.locator(".request-row")).to_have_count(1)
    member.evaluate("window.scrollTo(0, 0)")
    screenshot(member, "request-list")
    member.get_by_role("link", name=TITLE).click()
    member.wait_for_url(f"**/requests/{service_request.pk}/")
    member.get_by_label(label(ResponseForm, "message")).fill("我做了十年功能薄膜表征，可以先线上交流。")
    email_box = member.get_by_role("checkbox", name=t("My email address (%(email)s)") % {"email": HER_EMAIL})
    phone_box = member.get_by_role("checkbox", name=t("My mobile number (%(phone)s)") % {"phone": HER_PHONE})
    expect(email_box).not_to_be_checked()
    expect(phone_box).not_to_be_checked()
    email_box.check()
    member.get_by_role("button", name=t("Send response")).click()
    member.wait_for_url(f"**/requests/{service_request.pk}/")
    answer = RequestResponse.objects.get()
    assert (answer.share_email, answer.share_phone) == (True, False)

    # The representative sees her name, title and field, no contact, and accepts sharing his mobile.
    page.goto(f"/requests/organisation/{org.pk}/{service_request.pk}/")
    expect(page.get_by_text("陈静怡")).to_be_visible()
    assert HER_EMAIL not in page.content() and HER_PHONE not in page.content()
    page.get_by_role("link", name=t("Accept"), exact=True).click()
    page.get_by_role("checkbox", name=t("My mobile number (%(phone)s)") % {"phone": REP_PHONE}).check()
    page.get_by_role("button", name=t("Accept"), exact=True).click()
    page.wait_for_url(f"**/requests/organisation/{org.pk}/{service_request.pk}/")
    expect(page.get_by_text(HER_EMAIL)).to_be_visible()
    assert HER_PHONE not in page.content()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "request-dashboard")
    answer.refresh_from_db()
    assert (answer.status, answer.org_share_phone, answer.org_share_email) == (ResponseStatus.ACCEPTED, True, False)

    # She sees his mobile, not his email.
    member.reload()
    expect(member.get_by_text(REP_PHONE)).to_be_visible()
    assert REP_EMAIL not in member.content()
    member.evaluate("window.scrollTo(0, 0)")
    screenshot(member, "request-detail")
    assert rep.pk == answer.decided_by_id
    assert list(Representative.objects.filter(organisation=org).values_list("user", flat=True)) == [rep.pk]


def test_the_digest_link_asks_before_it_opts_out(page: Page):
    her = UserFactory(username="zhouyiran")
    MemberProfileFactory(user=her, field="advanced_materials")
    # Opening the email's link (as a mail scanner would) only asks.
    page.goto(f"/requests/digest/stop/{opt_out_token(her.pk)}/")
    expect(page.get_by_text(t("Stop the weekly email of new service requests in your field?"))).to_be_visible()
    screenshot(page, "request-digest-stop")
    assert not RequestDigestOptOut.objects.exists()
    page.get_by_role("button", name=t("Stop the weekly digest"), exact=True).click()
    expect(page.get_by_text(t("You will no longer receive the weekly digest."))).to_be_visible()
    assert RequestDigestOptOut.objects.get().user == her
