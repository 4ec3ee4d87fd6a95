"""Redis down while she signs up, in a real Chromium at 375 px: a clear "try again shortly" page
that keeps what she typed; once Redis is back, one press sends it again and she joins."""

import pytest
from allauth.account.forms import SignupForm
from django.utils.html import strip_tags
from playwright.sync_api import Page, expect

from members.models import User

from .ui import label, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xiangcheng-2026-she"
PHONE = "13912345678"


def type_passwords(page: Page) -> None:
    page.get_by_label(label(SignupForm, "password1"), exact=True).fill(PASSWORD)
    page.get_by_label(label(SignupForm, "password2"), exact=True).fill(PASSWORD)


def test_sign_up_while_redis_is_down_keeps_her_number_and_works_once_it_is_back(page: Page, settings, tmp_path,
                                                                              sms_outbox):
    working = settings.CACHES
    page.goto("/accounts/signup/")
    page.get_by_label(label(SignupForm, "phone")).fill(PHONE)
    type_passwords(page)
    page.get_by_role("checkbox", name=strip_tags(label(SignupForm, "accept_privacy"))).check()

    settings.CACHES = {"default": {**working["default"], "LOCATION": f"unix://{tmp_path}/down.sock?db=1"}}
    page.get_by_role("button", name=t("Sign Up"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Please try again shortly"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "redis-down")
    assert User.objects.count() == 0

    settings.CACHES = working
    page.get_by_role("button", name=t("Try again"), exact=True).click()
    # Back on the form with her number and consent as she gave them; only the passwords to retype.
    page.wait_for_url("**/accounts/signup/")
    expect(page.get_by_label(label(SignupForm, "phone"))).to_have_value(PHONE)
    expect(page.get_by_role("checkbox", name=strip_tags(label(SignupForm, "accept_privacy")))).to_be_checked()
    type_passwords(page)
    page.get_by_role("button", name=t("Sign Up"), exact=True).click()
    page.wait_for_url("**/accounts/phone/verify/")
    assert list(User.objects.values_list("phone", "phone_verified")) == [(PHONE, False)]
    assert [m.phone for m in sms_outbox] == [PHONE]
