"""An HR manager's first visit, in a real Chromium at 375 px: she signs up choosing "represent an
organisation", lands on the organisation form (not the membership application), registers her
company with a code typed with spaces, and sees it awaiting verification on its workbench."""

import re

import pytest
from allauth.account.forms import SignupForm
from django.utils.html import strip_tags
from playwright.sync_api import Page, expect

from members.models import Organisation, OrganisationStatus, Representative, User
from members.organisation_forms import OrganisationForm

from .ui import label, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xiangcheng-2026-hr"
SIX_DIGITS = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def test_a_representative_signs_up_registers_her_organisation_and_sees_it_pending(page: Page, sms_outbox):
    phone = "13912340001"
    page.goto("/accounts/signup/")
    page.get_by_label(t("represent an organisation (enterprise, university, institute …)")).check()
    page.get_by_label(label(SignupForm, "phone")).fill(phone)
    page.get_by_label(label(SignupForm, "password1"), exact=True).fill(PASSWORD)
    page.get_by_label(label(SignupForm, "password2"), exact=True).fill(PASSWORD)
    page.get_by_role("checkbox", name=strip_tags(label(SignupForm, "accept_privacy"))).check()
    page.get_by_role("button", name=t("Sign Up"), exact=True).click()
    page.wait_for_url("**/accounts/phone/verify/")
    page.get_by_label(t("Code"), exact=True).fill(SIX_DIGITS.findall(sms_outbox[0].text)[0])
    page.get_by_role("button", name=t("Confirm"), exact=True).click()

    # Not the membership application: the organisation form.
    page.wait_for_url("**/members/organisations/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Register an organisation"))

    page.get_by_label(label(OrganisationForm, "name")).fill("苏州相城薄膜材料有限公司")
    # A wrong check character first: the clear error, and nothing she typed is lost.
    page.get_by_label(label(OrganisationForm, "credit_code")).fill("91320507 MA1MXAB7XA")
    page.get_by_label(label(OrganisationForm, "kind")).select_option("enterprise")
    page.get_by_label(label(OrganisationForm, "industry")).select_option("advanced_materials")
    page.get_by_label(label(OrganisationForm, "size")).select_option("small")
    page.get_by_label(label(OrganisationForm, "city")).select_option("suzhou")
    page.get_by_label(label(OrganisationForm, "district")).fill("相城区")
    page.get_by_label(label(OrganisationForm, "address")).fill("元和街道科技园 3 号楼")
    page.get_by_label(label(OrganisationForm, "description")).fill("专注功能薄膜材料研发与中试。")
    page.get_by_label(label(OrganisationForm, "public_contact")).fill("0512-6500 0001")
    page.get_by_label(label(OrganisationForm, "women_led")).select_option("founder")
    page.get_by_role("button", name=t("Register"), exact=True).click()
    expect(page.get_by_text(t("This unified social credit code is not valid: its last character does not match. "
                              "Please check it against the business licence."))).to_be_visible()
    expect(page.get_by_label(label(OrganisationForm, "address"))).to_have_value("元和街道科技园 3 号楼")
    screenshot(page, "organisation-register")

    page.get_by_label(label(OrganisationForm, "credit_code")).fill("91320507 ma1mxab7xn")
    page.get_by_role("button", name=t("Register"), exact=True).click()
    organisation = Organisation.objects.get()
    page.wait_for_url(f"**/members/organisations/{organisation.pk}/")
    expect(page.locator(".status-pending")).to_contain_text(t("Awaiting verification"))
    screenshot(page, "organisation-workbench")

    user = User.objects.get(phone=phone)
    assert (organisation.credit_code, organisation.status) == ("91320507MA1MXAB7XN", OrganisationStatus.PENDING)
    assert list(Representative.objects.values_list("user", flat=True)) == [user.pk]
    # Nothing asks her to fill in a member profile on her organisation's pages.
    expect(page.locator(".status-draft")).to_have_count(0)
    # The page fits a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
