"""Staff and two-factor authentication, in a real Chromium at 375 px.

A reviewer without an authenticator app opens the admin: she logs in on the portal, is sent
to set one up (her password again, the QR code and its secret, a code from the app), keeps her
recovery codes and goes on to the administration. Later she logs in with a code from the app.
"""

import math
import time
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def next_totp_period() -> datetime:
    """The start of the next 30-second period: the code typed then is valid for all of it."""
    return datetime.fromtimestamp(math.ceil(time.time() / 30) * 30 + 30, tz=UTC)


def enter_authenticator_code(page: Page, secret: str, *, field: str, button: str) -> None:
    """Type the code the app shows, at the start of a fresh period (the clock moved there)."""
    start = next_totp_period()
    with time_machine.travel(start, tick=True):
        code = format_hotp_value(hotp_value(secret, int(start.timestamp()) // 30))
        page.get_by_label(t(field), exact=True).fill(code)
        page.get_by_role("button", name=t(button), exact=True).click()
        page.wait_for_load_state()


def test_staff_sets_up_an_authenticator_app_before_the_admin(page: Page, reviewer):
    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/?next=%2Fadmin%2F")
    log_in(page, reviewer.email)

    # Before any admin page: her password again, then the authenticator app.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_label(t("Password"), exact=True).fill("correct-horse-42")
    page.get_by_role("button", name=t("Confirm"), exact=True).click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Activate Authenticator App"))
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) == 32
    screenshot(page, "staff-mfa-setup")

    enter_authenticator_code(page, secret, field="Authenticator code", button="Activate")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    screenshot(page, "staff-mfa-recovery-codes")
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).count() == 1

    page.get_by_role("link", name=t("Continue to the administration")).click()
    page.wait_for_url("**/admin/")
    expect(page.locator("#site-name")).to_have_text(t("Xiangcheng Women in Science & Technology Alliance · Staff"))


def test_staff_logs_in_with_a_code_from_her_authenticator_app(page: Page, reviewer):
    TOTP.activate(reviewer, SECRET)
    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/?next=%2Fadmin%2F")
    log_in(page, reviewer.email)

    page.wait_for_url("**/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Two-Factor Authentication"))
    screenshot(page, "staff-mfa-code")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    enter_authenticator_code(page, SECRET, field="Code", button="Sign In")
    page.wait_for_url("**/admin/")
    expect(page.locator("#site-name")).to_have_text(t("Xiangcheng Women in Science & Technology Alliance · Staff"))
