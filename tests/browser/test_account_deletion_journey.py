"""注销账号 in a real Chromium at 375 px, the way a member leaves: first she keeps a copy of her
data (我的数据), then from her profile she opens the deletion page, reads what goes and what stays,
mistypes her password (a clear error), confirms, is logged out and sees the confirmation; the job
erases her data, the copy she asked for included."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from members.models import AccountErasure, DataExport, MemberProfile, User
from tests.factories import PASSWORD
from tests.members.data_export_support import json_in, member_with_data, zip_of

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_downloads_her_data_then_deletes_her_account(page: Page):
    member = member_with_data(username="lin", real_name="林晓雯", marker="HER-5120").user

    page.goto("/accounts/login/")
    log_in(page, member.email)
    page.wait_for_url("**/members/profile/")

    # A copy first: Celery runs inline in the tests, so it is ready when the page comes back.
    page.goto("/members/data/")
    page.get_by_role("button", name=t("Prepare a copy of my data")).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download my data (.zip)")).click()
    assert json_in(zip_of(Path(download.value.path()).read_bytes()), "profile.json")["real_name"] == "林晓雯"
    export_file = DataExport.objects.get(user=member).file
    assert export_file.storage.exists(export_file.name)

    page.goto("/members/profile/")
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
    # What she typed stays ticked; only the password is asked again.
    expect(page.get_by_label(t("I understand that my account and my personal data will be deleted, and that "
                               "this cannot be undone."))).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
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
    assert not DataExport.objects.filter(user=member).exists()
    assert not export_file.storage.exists(export_file.name)
