"""What the journeys share: the page's own words, screenshots, logging in, the admin's actions,
the data migrations' rows."""

from pathlib import Path

from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import Page

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Members use the portal in Chinese: the browser asks for it the way their phones do.
LOCALE = "zh-CN"
UI_LANGUAGE = "zh-hans"


def t(message) -> str:
    """The text the page shows for a source string, in the browser's language.

    Locators are built from the same catalogue the server renders with, so they keep
    working while the translations are written (or reworded).
    """
    with translation.override(UI_LANGUAGE):
        # A lazy string (a choice label, a verbose name) is rendered as it is.
        return translation.gettext(message) if isinstance(message, str) else str(message)


def tn(singular: str, plural: str, n: int) -> str:
    """The singular or plural form the page shows for ``n``, in the browser's language."""
    with translation.override(UI_LANGUAGE):
        return translation.ngettext(singular, plural, n) % {"n": n}


def label(form_class, field: str, **form_kwargs) -> str:
    """The label a form field is rendered with, in the browser's language."""
    with translation.override(UI_LANGUAGE):
        return str(form_class(**form_kwargs).fields[field].label)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as tests/artifacts/<name>.png (the folder is git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, login: str, password: str = PASSWORD) -> None:
    """Fill the login form the page shows (after a redirect to it, or opened directly) and send it."""
    from allauth.account.forms import LoginForm

    page.get_by_label(label(LoginForm, "login")).fill(login)
    page.get_by_label(label(LoginForm, "password"), exact=True).fill(password)
    page.get_by_role("button", name=t("Sign In"), exact=True).click()


def admin_log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Open the admin as a member of staff: it sends her to the portal's login, then back."""
    from members.models import User

    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/?next=%2Fadmin%2F")
    log_in(page, User.objects.get(username=username).email, password)
    page.wait_for_url("**/admin/")


def admin_action(page: Page, model, selected, action: str) -> None:
    """From the admin index: open ``model``'s change list, tick ``selected`` and run ``action``."""
    with translation.override(UI_LANGUAGE):
        change_list_link = capfirst(str(model._meta.verbose_name_plural))
    page.get_by_role("link", name=change_list_link, exact=True).click()
    page.wait_for_url(f"**/admin/{model._meta.app_label}/{model._meta.model_name}/")
    page.get_by_role("checkbox", name=t("Select this object for an action - {}").format(selected)).check()
    page.get_by_label(t("Action:")).select_option(action)
    page.get_by_role("button", name=t("Go"), exact=True).click()


def wait_for_mail(page: Page, outbox: list, *, to: str, subject: str, timeout_ms: int = 5_000) -> list:
    """The emails to `to` with `subject`, waiting (bounded) for a delivery that runs after commit.

    Celery is eager in tests, so the live server thread sends the message once its transaction
    commits; the browser may see the response a moment before the test thread sees the mail.
    """
    waited = 0
    while True:
        found = [m for m in outbox if m.to == [to] and m.subject == subject]
        if found or waited >= timeout_ms:
            return found
        page.wait_for_timeout(50)
        waited += 50
