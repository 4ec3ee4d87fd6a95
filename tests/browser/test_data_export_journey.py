"""我的数据 in a real Chromium at 375 px: she opens it from the menu, reads what the copy holds,
asks for it, sees it ready and downloads the ZIP. Screenshot: my-data."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.data_sources import data_sources
from members.models import DataExport
from tests.members.data_export_support import PDF_CV, json_in, member_with_data, zip_of

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_asks_for_her_data_and_downloads_the_zip(page: Page):
    her = member_with_data(username="lin", real_name="林晓雯", marker="HER-4411")

    page.goto("/accounts/login/")
    log_in(page, her.user.email)
    page.wait_for_url("**/members/profile/")
    page.locator("summary").first.click()
    page.get_by_role("navigation").get_by_role("link", name=t("我的数据 · My data")).click()
    page.wait_for_url("**/members/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("我的数据 · My data"))
    expect(page.locator(".data-sources li")).to_have_count(len(data_sources()))

    page.get_by_role("button", name=t("Prepare a copy of my data")).click()
    page.wait_for_url("**/members/data/")
    # Celery runs inline in the tests: the copy is ready when the page comes back.
    link = page.get_by_role("link", name=t("Download my data (.zip)"))
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "my-data")

    with page.expect_download() as download:
        link.click()
    export = DataExport.objects.get()
    assert download.value.suggested_filename == f"my-data-{timezone.localtime(export.finished_at):%Y%m%d}.zip"
    archive = zip_of(Path(download.value.path()).read_bytes())
    assert archive.read(f"files/job_applications/{her.cv_name}") == PDF_CV
    assert json_in(archive, "profile.json")["real_name"] == "林晓雯"
    assert export.audit_events.filter(pgh_label="exported").count() == 1
