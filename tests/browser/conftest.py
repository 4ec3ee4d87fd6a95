"""Real Chromium (Debian's, never a downloaded one) driven by Playwright, against live_server.

live_server makes every browser test transactional: the live server thread must see the rows
the test writes, so nothing runs inside a rolled-back transaction, and Django flushes every
table after each test. The rows the data migrations create (the five programmes, the 审核员
group) are therefore re-created before each test from the migrations' own definitions.
"""

import shutil

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Browser, Page, sync_playwright

from tests.factories import UserFactory

from .ui import (
    LOCALE,
    event_manager_group_migration,
    inbox_groups_migration,
    programmes_migration,
    reviewer_group_migration,
    screenshot,
)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 375, "height": 812}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Browser:
    executable = shutil.which("chromium")
    if executable is None:
        # A missing browser is a broken test machine, not a reason to skip the journeys.
        pytest.fail("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _migration_rows(transactional_db):
    """The rows the data migrations create; a transactional test's flush removes them."""
    programmes_migration.create(apps, None)
    group, _ = Group.objects.get_or_create(name=reviewer_group_migration.GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="members", codename__in=reviewer_group_migration.PERMISSIONS
        )
    )


@pytest.fixture
def reviewer(_migration_rows):
    """A federation staff member in the 审核员 group (password correct-horse-42)."""
    user = UserFactory(username="shenhe", is_staff=True)
    user.groups.add(Group.objects.get(name=reviewer_group_migration.GROUP))
    return user


def _staff_group(name: str, app_label: str, codenames) -> Group:
    """A staff group as its data migration creates it (name and permission codenames)."""
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
    return group


@pytest.fixture
def event_manager(_migration_rows):
    """A staff member in the 活动管理员 group, who checks members in (password correct-horse-42)."""
    user = UserFactory(username="huodong", email="huodong@fulian.example.cn", is_staff=True)
    user.groups.add(_staff_group(
        event_manager_group_migration.GROUP, "events", event_manager_group_migration.PERMISSIONS
    ))
    return user


@pytest.fixture
def inbox_agent(_migration_rows):
    """A staff member in the 管家客服 group, who answers inbox tickets (password correct-horse-42)."""
    name = "管家客服"
    user = UserFactory(username="guanjia", email="guanjia@fulian.example.cn", is_staff=True)
    user.groups.add(_staff_group(name, "services", inbox_groups_migration.GROUPS[name]))
    return user


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded photos go to a temporary folder, not the developer's .local/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _private_root(tmp_path, monkeypatch):
    """Inbox attachments (private storage) too: the field gets a temporary storage of its own."""
    from django.core.files.storage import FileSystemStorage

    from services.models import Attachment

    field = Attachment._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture
def new_page(browser, live_server, request):
    """Open a page in a fresh browser context (its own cookies: another person or device)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(
            viewport=VIEWPORT, locale=LOCALE, timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    failed = getattr(request.node, "browser_failed", False)
    for number, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                screenshot(page, f"failed-{request.node.name}-{number}")
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A 375 × 812 phone-sized page on the live server, in Chinese."""
    return new_page()
