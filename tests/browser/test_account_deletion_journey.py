"""注销账号 in a real Chromium at 375 px: from her profile she opens the deletion page, reads what
goes and what stays, mistypes her password (a clear error), confirms, is logged out and sees the
confirmation; her data is erased by the job."""

import pytest
from playwright.sync_api import Page, expect

from members.models import AccountErasure, MemberProfile, User
from tests.factories import PASSWORD, MemberProfileFactory

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_deletes_her_account(page: Page):
    member = MemberProfileFactory(real_name="林晓雯", bio="研究功能薄膜。").user

    page.goto("/accounts/login/")
    log_in(page, member.email)
    page.wait_for_url("**/members/profile/")
    page.get_by_role("link", name=t("注销账号 · Delete my account")).click()
    page.wait_for_url("**/members/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("注销账号 · Delete my account"))
    expect(page.get_by_role("heading", name=t("What is erased"))).to_be_visible()
    expect(page.get_by_role("heading", name=t("What stays, without your name"))).to_be_visible()

    page.get_by_label(t("I understand that my account and my personal data will be deleted, and that this "
                        "cannot be undone.")).check()
    page.get_by_label(t("Your password")).fill("not-my-password")
    page.get_by_role("button", name=t("Delete my account")).click()
    expect(page.get_by_text(t("The password is not right."))).to_be_visible()
    screenshot(page, "account-delete")
    assert User.objects.get(pk=member.pk).is_active is True

    page.get_by_label(t("Your password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Delete my account")).click()
    page.wait_for_url("**/members/delete/done/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your account has been deleted"))
    screenshot(page, "account-deleted")

    page.goto("/members/profile/")
    page.wait_for_url("**/accounts/login/**")
    assert AccountErasure.objects.get(user=member).erased_at is not None
    assert MemberProfile.objects.get(user=member).real_name == ""
