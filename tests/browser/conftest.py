"""Real Chromium (Debian's, never a downloaded one) driven by Playwright, against live_server.

live_server makes every browser test transactional: the live server thread must see the rows
the test writes, so nothing runs inside a rolled-back transaction, and Django flushes every
table after each test. The rows the data migrations create (the five programmes, the 审核员
group) are therefore re-created before each test from the migrations' own definitions.
"""

import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.factories import AGENT_GROUP, EVENT_MANAGER_GROUP, REVIEWER_GROUP

from .ui import LOCALE, screenshot

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


@pytest.fixture
def reviewer(transactional_db, staff_in_group):
    """A federation staff member in the 审核员 group (password tests.factories.PASSWORD)."""
    return staff_in_group("shenhe", REVIEWER_GROUP)


@pytest.fixture
def event_manager(transactional_db, staff_in_group):
    """A staff member in the 活动管理员 group, who checks members in (password tests.factories.PASSWORD)."""
    return staff_in_group("huodong", EVENT_MANAGER_GROUP)


@pytest.fixture
def inbox_agent(transactional_db, staff_in_group):
    """A staff member in the 管家客服 group, who answers inbox tickets (password tests.factories.PASSWORD)."""
    return staff_in_group("guanjia", AGENT_GROUP)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded photos go to a temporary folder, not the developer's .local/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    """Private files (member photos, inbox attachments) too."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}},
    }


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
        page = context.new_page()
        # The site's Content-Security-Policy must never block anything on a member page.
        page.on("console", lambda message: "Content Security Policy" in message.text
                and csp_violations.append(f"{page.url}: {message.text}"))
        return page

    csp_violations: list[str] = []
    yield open_page
    failed = getattr(request.node, "browser_failed", False)
    for number, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                screenshot(page, f"failed-{request.node.name}-{number}")
        context.close()
    assert csp_violations == []


@pytest.fixture
def page(new_page) -> Page:
    """A 375 × 812 phone-sized page on the live server, in Chinese."""
    return new_page()
